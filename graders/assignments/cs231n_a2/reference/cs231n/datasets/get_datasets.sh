#!/usr/bin/env bash
# Download CIFAR-10 (python version) into this folder, check the archive, unpack it.
# Run it from anywhere: it works in the folder that holds this script.
set -euo pipefail
cd "$(dirname "$0")"

URL="https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
ARCHIVE="cifar-10-python.tar.gz"
MD5="c58f30108f718f92721af3b95e74349a"

if [ -d cifar-10-batches-py ]; then
  echo "cifar-10-batches-py already present in $(pwd); nothing to do."
  exit 0
fi

if command -v curl >/dev/null 2>&1; then
  curl -fL --retry 3 -o "$ARCHIVE" "$URL"
else
  wget -O "$ARCHIVE" "$URL"
fi

actual=$(md5sum "$ARCHIVE" | cut -d' ' -f1)
if [ "$actual" != "$MD5" ]; then
  echo "error: $ARCHIVE has MD5 $actual, expected $MD5 (a partial or altered download)." >&2
  echo "Delete it and run this script again." >&2
  rm -f "$ARCHIVE"
  exit 1
fi

tar -xzf "$ARCHIVE"
rm -f "$ARCHIVE"
echo "CIFAR-10 is in $(pwd)/cifar-10-batches-py"
