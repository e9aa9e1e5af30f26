# SPDX-License-Identifier: GPL-2.0
# Helpers shared by the host-side scripts.  Source it; do not run it.

# Everything downloaded or built lives here, outside the git tree.
CACHE=${ZRAM_CACHE:-/var/cache/zram-backport}

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# kernel_abi NAME -> the Debian ABI string of a target name
kernel_abi() {
	case "$1" in
	6.1) echo "$K61_ABI" ;;
	6.12) echo "$K612_ABI" ;;
	6.12-rt) echo "$K612RT_ABI" ;;
	*) return 1 ;;
	esac
}
