"""The explorer core: Session, Navigator, ResourceView and the row keys, with no Textual."""
