"""Whether a container's executable is in its image: runc's ``StartError`` when it is not.

Only images whose contents are known are judged: busybox and alpine, where every program is a
busybox applet (their image has no ENTRYPOINT, so the command, else the args, names what runs).
A typo there (``sleeep 3600``, ``nginx`` in busybox) fails at start with exit code 128, as on a
real node, instead of running for ever. Other images may hold anything: not judged."""

from __future__ import annotations

from typing import Any

from k9py.sim.behaviour import image_name
from k9py.sim.userland.image import CURL_IMAGE, busybox_family

# `busybox --list` of busybox 1.36 (the busybox image's), with alpine's own tools
_APPLET_NAMES = """
[ [[ acpid add-shell addgroup adduser adjtimex apk arch arp arping ascii ash awk base32 base64 basename
bc beep blkdiscard blkid blockdev bootchartd brctl bunzip2 busybox bzcat bzip2 cal cat chat chattr chgrp
chmod chown chpasswd chpst chroot chrt chvt cksum clear cmp comm conspy cp cpio crc32 crond crontab
cryptpw cttyhack cut date dc dd deallocvt delgroup deluser depmod devmem df dhcprelay diff dirname dmesg
dnsd dnsdomainname dos2unix dpkg dpkg-deb du dumpkmap dumpleases echo ed egrep eject env envdir
envuidgid ether-wake expand expr factor fakeidentd fallocate false fatattr fbset fbsplash fdflush
fdformat fdisk fgconsole fgrep find findfs flock fold free freeramdisk fsck fsck.minix fsfreeze fstrim
fsync ftpd ftpget ftpput fuser getconf getent getfattr getopt getty grep groups gunzip gzip halt hd
hdparm head hexdump hexedit hostid hostname httpd hush hwclock i2cdetect i2cdump i2cget i2cset
i2ctransfer iconv id ifconfig ifdown ifenslave ifplugd ifup inetd init insmod install ionice iostat ip
ipaddr ipcalc ipcrm ipcs iplink ipneigh iproute iprule iptunnel kbd_mode kill killall killall5 klogd
last ldconfig ldd less link linux32 linux64 linuxrc ln loadfont loadkmap logger login logname logread
losetup lpd lpq lpr ls lsattr lsmod lsof lspci lsscsi lsusb lzcat lzma lzop makedevs makemime man
md5sum mdev mesg microcom mim mkdir mkdosfs mke2fs mkfifo mkfs.ext2 mkfs.minix mkfs.vfat mknod mkpasswd
mkswap mktemp modinfo modprobe more mount mountpoint mpstat mt mv nameif nanddump nandwrite nbd-client
nc netstat nice nl nmeter nohup nologin nproc nsenter nslookup ntpd nuke od openvt partprobe passwd
paste patch pgrep pidof ping ping6 pipe_progress pivot_root pkill pmap popmaildir poweroff powertop
printenv printf ps pscan pstree pwd pwdx raidautorun rdate rdev readahead readlink readprofile realpath
reboot reformime remove-shell renice reset resize resume rev rm rmdir rmmod route rpm rpm2cpio rtcwake
run-init run-parts runlevel runsv runsvdir rx scanelf script scriptreplay sed seedrng sendmail seq
setarch setconsole setfattr setfont setkeycodes setlogcons setpriv setserial setsid setuidgid sh
sha1sum sha256sum sha3sum sha512sum showkey shred shuf slattach sleep smemcap softlimit sort split
ssl_client start-stop-daemon stat strings stty su sulogin sum sv svc svlogd svok swapoff swapon
switch_root sync sysctl syslogd tac tail tar taskset tc tcpsvd tee telnet telnetd test tftp tftpd time
timeout top touch tr traceroute traceroute6 tree true truncate ts tsort tty ttysize tunctl ubiattach
ubidetach ubimkvol ubirename ubirmvol ubirsvol ubiupdatevol udhcpc udhcpc6 udhcpd udpsvd uevent umount
uname unexpand uniq unix2dos unlink unlzma unshare unxz unzip uptime users usleep uudecode uuencode
vconfig vi vlock volname w wall watch watchdog wc wget which who whoami whois xargs xxd xz xzcat yes
zcat zcip
"""
APPLETS = frozenset(_APPLET_NAMES.split())
BIN_DIRS = ("/bin", "/sbin", "/usr/bin", "/usr/sbin")
RUNC = ("failed to create containerd task: failed to create shim task: OCI runtime create failed: "
        "runc create failed: unable to start container process: {}: unknown")



def start_error(container: dict[str, Any], image: str) -> str | None:
    """runc's message when the program ``container`` runs is not in ``image`` (None: it is, or
    the image's contents are not known). A path under one of its volume mounts may be anything."""
    argv = container.get("command") or container.get("args") or []
    if not argv or not isinstance(argv, list) or not busybox_family(image):
        return None
    if image_name(image) == CURL_IMAGE:
        if not container.get("command"):
            return None  # (its entrypoint runs curl with args that name no program)
        if str(argv[0]).rsplit("/", 1)[-1] == "curl":
            return None
    exe = str(argv[0])
    if "/" not in exe:
        return None if exe in APPLETS else RUNC.format(f'exec: "{exe}": executable file not found in $PATH')
    folder, _, name = exe.rpartition("/")
    if (folder in BIN_DIRS and name in APPLETS) or not exe.startswith("/"):
        return None  # (a relative path: the working directory's, not known)
    mounts = [str(m.get("mountPath") or "").rstrip("/") for m in container.get("volumeMounts") or []
              if isinstance(m, dict)]
    if any(m and (exe == m or exe.startswith(m + "/")) for m in mounts):
        return None
    return RUNC.format(f'exec: "{exe}": stat {exe}: no such file or directory')
