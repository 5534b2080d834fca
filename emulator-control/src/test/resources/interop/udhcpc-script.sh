#!/bin/sh
# udhcpc's event script (busybox udhcpc -s): prints what the lease carries and, when bound,
# installs the address on the interface (the default route too, if a router was given and is
# reachable, which it need not be in a test lab).
echo "udhcpc $1 interface=$interface ip=$ip mask=$mask router=$router dns=$dns domain=$domain lease=$lease serverid=$serverid"
case "$1" in
  bound|renew)
    ip addr flush dev "$interface" scope global
    ip addr add "$ip/$mask" dev "$interface"
    ;;
  deconfig)
    ip addr flush dev "$interface" scope global
    ;;
esac
exit 0
