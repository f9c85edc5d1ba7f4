#!/bin/sh
# robust-part.sh - tests/unit/test_robust in two halves that make check runs
# side by side (`make -j2 check`): under AddressSanitizer the whole takes
# most of ten minutes on two cores.  Which half comes from this script's
# name (robust-part1.sh, robust-part2.sh are links to it).
set -eu
case $0 in
*part1.sh) part=1/2 ;;
*part2.sh) part=2/2 ;;
*) echo "robust-part.sh: run it as robust-part1.sh or robust-part2.sh" >&2; exit 2 ;;
esac
TQ_ROBUST_PART=$part exec "${TEST_ROBUST:-./tests/unit/test_robust}"
