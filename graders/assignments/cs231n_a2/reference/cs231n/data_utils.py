"""Loading CIFAR-10 (the python version) and a few other data sets.

The CIFAR-10 folder is `datasets/cifar-10-batches-py` inside this package,
unless the environment variable CS231N_CIFAR10_DIR names another folder with
the same layout (data_batch_1..5, test_batch, batches.meta).
"""
import os
import pickle

import numpy as np

CIFAR10_ENV_VAR = "CS231N_CIFAR10_DIR"


def default_cifar10_dir():
    """The CIFAR-10 folder: $CS231N_CIFAR10_DIR, else the package's datasets folder."""
    override = os.environ.get(CIFAR10_ENV_VAR)
    if override:
        return override
    return os.path.join(os.path.dirname(__file__), "datasets", "cifar-10-batches-py")


def load_pickle(f):
    """Unpickle a CIFAR batch; latin1 decodes the Python 2 byte strings inside."""
    return pickle.load(f, encoding="latin1")


def load_CIFAR_batch(filename):
    """One CIFAR batch file -> X: (N, 32, 32, 3) float64, Y: (N,) int labels."""
    with open(filename, "rb") as f:
        datadict = load_pickle(f)
    X = datadict["data"]
    Y = datadict["labels"]
    X = X.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).astype("float")
    Y = np.array(Y)
    return X, Y


def load_CIFAR10(ROOT):
    """All of CIFAR-10 from ROOT -> Xtr, Ytr, Xte, Yte (images channels-last)."""
    missing = [
        name
        for name in ["data_batch_%d" % b for b in range(1, 6)] + ["test_batch"]
        if not os.path.isfile(os.path.join(ROOT, name))
    ]
    if missing:
        raise FileNotFoundError(
            "CIFAR-10 not found in %s (missing %s). Run cs231n/datasets/get_datasets.sh "
            "to download it, or set %s to a folder holding cifar-10-batches-py files."
            % (ROOT, ", ".join(missing), CIFAR10_ENV_VAR)
        )
    xs, ys = [], []
    for b in range(1, 6):
        X, Y = load_CIFAR_batch(os.path.join(ROOT, "data_batch_%d" % b))
        xs.append(X)
        ys.append(Y)
    Xtr = np.concatenate(xs)
    Ytr = np.concatenate(ys)
    Xte, Yte = load_CIFAR_batch(os.path.join(ROOT, "test_batch"))
    return Xtr, Ytr, Xte, Yte


def get_CIFAR10_data(
    num_training=49000, num_validation=1000, num_test=1000, subtract_mean=True
):
    """CIFAR-10 split and preprocessed for the classifiers.

    Validation rows are the training rows after the first num_training; test
    rows are the first num_test of the test batch. With subtract_mean the mean
    image of the training split is subtracted from every split.
    Returns a dict with X_train, y_train, X_val, y_val, X_test, y_test; the
    images are float64 and channels-first: (N, 3, 32, 32).
    """
    X_train, y_train, X_test, y_test = load_CIFAR10(default_cifar10_dir())

    val_rows = range(num_training, num_training + num_validation)
    X_val, y_val = X_train[val_rows], y_train[val_rows]
    X_train, y_train = X_train[:num_training], y_train[:num_training]
    X_test, y_test = X_test[:num_test], y_test[:num_test]

    if subtract_mean:
        mean_image = np.mean(X_train, axis=0)
        X_train = X_train - mean_image
        X_val = X_val - mean_image
        X_test = X_test - mean_image

    return {
        "X_train": X_train.transpose(0, 3, 1, 2).copy(),
        "y_train": y_train,
        "X_val": X_val.transpose(0, 3, 1, 2).copy(),
        "y_val": y_val,
        "X_test": X_test.transpose(0, 3, 1, 2).copy(),
        "y_test": y_test,
    }


def load_tiny_imagenet(path, dtype=np.float32, subtract_mean=True):
    """TinyImageNet from its folder layout (train/, val/, test/, wnids.txt, words.txt).

    Returns a dict with class_names, X_train, y_train, X_val, y_val, X_test,
    y_test (None when the test labels are not present) and mean_image; images
    are channels-first (N, 3, 64, 64) of the given dtype.
    """
    from imageio.v2 import imread  # only this loader needs imageio

    def read_image(filename):
        img = imread(filename)
        if img.ndim == 2:
            img = np.stack([img] * 3, axis=-1)
        return img.transpose(2, 0, 1)

    with open(os.path.join(path, "wnids.txt")) as f:
        wnids = [line.strip() for line in f]
    wnid_to_label = {wnid: i for i, wnid in enumerate(wnids)}

    with open(os.path.join(path, "words.txt")) as f:
        wnid_to_words = dict(line.split("\t") for line in f)
    class_names = [
        [w.strip() for w in wnid_to_words[wnid].split(",")] for wnid in wnids
    ]

    X_train, y_train = [], []
    for wnid in wnids:
        box_file = os.path.join(path, "train", wnid, "%s_boxes.txt" % wnid)
        with open(box_file) as f:
            filenames = [line.split("\t")[0] for line in f]
        for name in filenames:
            X_train.append(read_image(os.path.join(path, "train", wnid, "images", name)))
            y_train.append(wnid_to_label[wnid])
    X_train = np.array(X_train, dtype=dtype)
    y_train = np.array(y_train, dtype=np.int64)

    with open(os.path.join(path, "val", "val_annotations.txt")) as f:
        val = [line.split("\t")[:2] for line in f]
    X_val = np.array(
        [read_image(os.path.join(path, "val", "images", name)) for name, _ in val],
        dtype=dtype,
    )
    y_val = np.array([wnid_to_label[wnid] for _, wnid in val], dtype=np.int64)

    test_dir = os.path.join(path, "test", "images")
    test_files = sorted(os.listdir(test_dir))
    X_test = np.array([read_image(os.path.join(test_dir, n)) for n in test_files], dtype=dtype)
    y_test = None
    annotations = os.path.join(path, "test", "test_annotations.txt")
    if os.path.isfile(annotations):
        with open(annotations) as f:
            labels = dict(line.split("\t")[:2] for line in f)
        y_test = np.array([wnid_to_label[labels[n]] for n in test_files], dtype=np.int64)

    mean_image = X_train.mean(axis=0)
    if subtract_mean:
        X_train -= mean_image[None]
        X_val -= mean_image[None]
        X_test -= mean_image[None]

    return {
        "class_names": class_names,
        "X_train": X_train,
        "y_train": y_train,
        "X_val": X_val,
        "y_val": y_val,
        "X_test": X_test,
        "y_test": y_test,
        "mean_image": mean_image,
    }


def load_models(models_dir):
    """Unpickle every model file in models_dir -> dict from file name to its 'model' entry."""
    models = {}
    for name in os.listdir(models_dir):
        with open(os.path.join(models_dir, name), "rb") as f:
            try:
                models[name] = load_pickle(f)["model"]
            except pickle.UnpicklingError:
                continue
    return models


def load_imagenet_val(num=None):
    """The 25 ImageNet validation images shipped as datasets/imagenet_val_25.npz.

    Returns X: (num, 224, 224, 3), y: (num,), class_names: dict label -> name.
    """
    path = os.path.join(os.path.dirname(__file__), "datasets", "imagenet_val_25.npz")
    if not os.path.isfile(path):
        raise FileNotFoundError(
            "%s not found; run cs231n/datasets/get_datasets.sh to download it." % path
        )
    f = np.load(path, allow_pickle=True)
    X, y = f["X"], f["y"]
    class_names = f["label_map"].item()
    if num is not None:
        X, y = X[:num], y[:num]
    return X, y, class_names
