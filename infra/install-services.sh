#!/usr/bin/env bash
# Install Prometheus, Alertmanager and Pushgateway (with promtool and amtool) from Debian packages,
# only when their binaries are missing. Idempotent: does nothing on a machine that has them.
#
# Debian names the daemons prometheus-alertmanager and prometheus-pushgateway; upstream tarballs
# name them alertmanager and pushgateway. pipelines/observe/services.py accepts either.
# On a host with systemd the packages also enable system services on the default ports; the
# tests never use those: they start their own processes on free loopback ports.
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1; }
have_any() { for name in "$@"; do have "$name" && return 0; done; return 1; }

missing=()
{ have prometheus && have promtool; } || missing+=(prometheus)
{ have_any alertmanager prometheus-alertmanager && have amtool; } || missing+=(prometheus-alertmanager)
have_any pushgateway prometheus-pushgateway || missing+=(prometheus-pushgateway)

if [ "${#missing[@]}" -eq 0 ]; then
    echo "prometheus, alertmanager, pushgateway, promtool and amtool are already installed"
    exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    have sudo || { echo "need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
fi
echo "installing: ${missing[*]}"
"${sudo[@]}" apt-get update
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
