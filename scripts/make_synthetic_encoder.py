"""Train and write the shipped encoder ``pretrained="synthetic-sdss"``.

The encoder is the backbone (every layer but the head) of the default
``CNNClassifier`` (its ResNet: width 32, three stages, 3-channel images) fitted
only on synthetic galaxies: 4,000 ``make_galaxies(survey="sdss")`` galaxies of
Galaxy Zoo 1's four classes in gz1_small's training mix (``weights=``, the
shares of its 1,473 training galaxies, hard-coded below), rendered over the
whole frame at 128 pixels and cut to 64 pixels as the real cutouts are read
(``CenterCrop(0.5, output_size=64)``), a crop ``1 / GZ1_FRAMING`` times wider
(gz1_small's Galaxy Zoo 1 cutouts show galaxies smaller than the Kaggle
cutouts the SDSS look frames them as), 20 epochs. It is exactly the "sdss"
pretraining of ``benchmarks/bench_realism.py`` section 5, so that benchmark's
fine-tuning figures (section 6) are this encoder's. No real image is read.

Run (a few minutes on one CPU thread)::

    python scripts/make_synthetic_encoder.py            # writes the shipped file
    python scripts/make_synthetic_encoder.py --out my.safetensors

The weights are stored as float32 safetensors, with the recipe in the file's
metadata.
"""

import argparse
import time
from pathlib import Path

import numpy as np
import torch

import skgalaxy
from skgalaxy.datasets import CLASS_MAPPINGS, make_galaxies
from skgalaxy.datasets._synthetic._sdss import GZ1_FRAMING
from skgalaxy.neural_network import CNNClassifier
from skgalaxy.neural_network._transfer import _ENCODER_DIR, backbone_state, head_name
from skgalaxy.preprocessing import CenterCrop

N_GALAXIES = 4000
EPOCHS = 20
DATA_SEED = 5
FIT_SEED = 0
# gz1_small's training split (bench_realism's, stratified 75/25 with
# random_state=0): elliptical, spiral, edge-on, merger galaxies.
GZ1_TRAIN_COUNTS = (375, 637, 375, 86)
# gz1_small's cutouts show galaxies GZ1_FRAMING times as large as the Kaggle
# cutouts the SDSS look follows: its crop is that much wider.
CROP = 0.5 / GZ1_FRAMING


def synthetic_crops():
    X, y = make_galaxies(
        N_GALAXIES,
        image_size=128,
        classes="gz1",
        weights=GZ1_TRAIN_COUNTS,
        survey="sdss",
        random_state=DATA_SEED,
    )
    crops = CenterCrop(CROP, output_size=64).fit_transform(X)
    crops = np.clip(np.rint(crops * 255.0), 0, 255).astype(np.uint8)
    return crops, np.asarray(list(CLASS_MAPPINGS["gz1"]))[y]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", default=str(_ENCODER_DIR / "synthetic-sdss.safetensors")
    )
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    X, y = synthetic_crops()
    clf = CNNClassifier(random_state=FIT_SEED, max_epochs=EPOCHS)
    t0 = time.perf_counter()
    clf.fit(X, y)
    print(f"fitted on {len(X)} synthetic galaxies in {time.perf_counter() - t0:.0f} s")
    write_encoder(clf, Path(args.out))


def write_encoder(clf, out):
    """Write the backbone of the fitted ``clf`` to ``out`` (safetensors)."""
    from safetensors.torch import save_file

    head = head_name(clf.module_)
    state = {
        k: v.float().contiguous() if v.is_floating_point() else v.contiguous()
        for k, v in backbone_state(clf).items()
        if not (k == head or k.startswith(head + "."))
    }
    metadata = {
        "module": "resnet",
        "module_params": "defaults (width 32, 3 stages, 1 block per stage)",
        "in_channels": "3",
        "trained_on": (
            f"make_galaxies({N_GALAXIES}, image_size=128, classes='gz1', "
            f"weights={list(GZ1_TRAIN_COUNTS)}, survey='sdss', "
            f"random_state={DATA_SEED}) through "
            f"CenterCrop({CROP:.4f}, output_size=64)"
        ),
        "estimator": f"CNNClassifier(random_state={FIT_SEED}, max_epochs={EPOCHS})",
        "skgalaxy": skgalaxy.__version__,
        "torch": torch.__version__,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    save_file(state, str(out), metadata=metadata)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB, {len(state)} tensors)")


if __name__ == "__main__":
    main()
