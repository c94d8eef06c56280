"""The channel numbers of Kubernetes' remote-command protocol (what ``ExecProcess.read`` tags)."""

STDOUT = 1
STDERR = 2
