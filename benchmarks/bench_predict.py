"""Throughput and peak memory of ``skgalaxy predict`` against a plain loop.

Writes N JPEG cutouts of 424x424 (Galaxy Zoo's size: synthetic galaxies from
``make_galaxies``, a few hundred distinct ones repeated) to a temporary folder
and, each in a fresh subprocess, times

- ``skgalaxy predict MODEL FOLDER -o out.csv --n-jobs 2``: decoding threads run
  a chunk ahead of the model, rows are flushed to ``out.csv.partial``;
- a plain loop: PIL decodes the files one by one, 256 at a time, then the same
  model's ``predict`` on the chunk, the rows written to a CSV.

Both sides get the same 2 threads (``--n-jobs 2`` sets BLAS/torch to 2; the
loop sets them to 2 itself), the same model (its own ``CenterCrop(0.5,
output_size=64)`` inside the Pipeline), the same 256-image chunks and the same
decoder (full-size PIL decode: the model was fitted on 424-px images, so PIL's
draft mode would not apply to either). The figures include each process's
start-up (imports, loading the model), as a user sees it.

Peak memory is the subprocess's maximum resident set size (``ru_maxrss``). The
target: ``skgalaxy predict`` at least 1.5x the loop's images/s, and its peak
memory within 10 % between N = 2,000 and N = 20,000 (memory stays flat).

Models (``--model``): ``mlp`` (``Coarsen(4)`` + NumpyMLPClassifier after the
crop: decoding dominates) and ``cnn`` (CNNClassifier's default ResNet, fp32:
the forward pass dominates). Timings on a shared machine vary; compare the
ratios printed from one run.

Run::

    python benchmarks/bench_predict.py --quick        # N = 300, 1-2 minutes
    python benchmarks/bench_predict.py                # N = 2,000 and 20,000, mlp
    python benchmarks/bench_predict.py --model cnn    # the CNN (about 15 min)
"""

import argparse
import io
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

THREADS = 2
CHUNK = 256

_LOOP = """
import csv, sys, time
import numpy as np
from threadpoolctl import threadpool_limits
threadpool_limits({threads})
try:
    import torch
    torch.set_num_threads({threads})
except ImportError:
    pass
import joblib
from PIL import Image
from pathlib import Path

model = joblib.load(sys.argv[1])
paths = sorted(Path(sys.argv[2]).glob("*.jpg"))
with open(sys.argv[3], "w", newline="") as fh:
    writer = csv.writer(fh)
    writer.writerow(["id", "prediction"])
    for start in range(0, len(paths), {chunk}):
        part = paths[start : start + {chunk}]
        X = np.stack([np.asarray(Image.open(p).convert("RGB")) for p in part])
        writer.writerows(zip([p.stem for p in part], model.predict(X)))
"""


def _fit_model(kind, n_fit=64, random_state=0):
    from sklearn.pipeline import make_pipeline

    from skgalaxy.datasets import make_galaxies
    from skgalaxy.preprocessing import CenterCrop, Coarsen

    X, y = make_galaxies(n_fit, image_size=424, random_state=random_state)
    crop = CenterCrop(0.5, output_size=64)
    if kind == "mlp":
        from skgalaxy.neural_network import NumpyMLPClassifier

        # A few epochs: the benchmark times prediction, not accuracy.
        est = NumpyMLPClassifier((128,), max_iter=5, tol=0, random_state=0)
        model = make_pipeline(crop, Coarsen(4), est)
    else:
        from skgalaxy.neural_network import CNNClassifier

        est = CNNClassifier(max_epochs=1, mixed_precision=False, verbose=0)
        model = make_pipeline(crop, est)
    return model.fit(X, y), X


def _write_jpegs(images, folder, n):
    """``n`` files cycling through the encoded ``images`` (bytes copied)."""
    from PIL import Image

    encoded = []
    for image in images:
        buf = io.BytesIO()
        Image.fromarray(image).save(buf, format="JPEG", quality=90)
        encoded.append(buf.getvalue())
    folder.mkdir()
    for i in range(n):
        (folder / f"{i}.jpg").write_bytes(encoded[i % len(encoded)])


def _run(command, env):
    """Wall time and peak RSS (bytes) of a subprocess."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode()
    proc.stderr.close()
    if proc.returncode != 0:
        raise RuntimeError(f"{command[:4]} failed: {err}")
    return wall, usage.ru_maxrss * 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 300 only")
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--model", choices=("mlp", "cnn"), default="mlp")
    args = parser.parse_args()
    sizes = [300] if args.quick else args.sizes

    env = dict(os.environ, OMP_NUM_THREADS=str(THREADS), PYTHONWARNINGS="ignore")
    root = Path(__file__).resolve().parents[1]
    env["PYTHONPATH"] = os.pathsep.join([str(root), env.get("PYTHONPATH", "")])
    print(f"model: {args.model}; {THREADS} threads each side; chunks of {CHUNK}")
    header = f"{'N':>7} {'side':<18} {'img/s':>8} {'peak MB':>9}"
    print(header)
    print("-" * len(header))
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        import joblib

        model, images = _fit_model(args.model)
        model_path = tmp / "model.joblib"
        joblib.dump(model, model_path)
        loop = tmp / "loop.py"
        loop.write_text(
            textwrap.dedent(_LOOP.format(threads=THREADS, chunk=CHUNK)).lstrip()
        )
        for n in sizes:
            folder = tmp / f"jpegs{n}"
            _write_jpegs(images, folder, n)
            sides = {
                "skgalaxy predict": [
                    sys.executable,
                    "-m",
                    "skgalaxy",
                    "predict",
                    str(model_path),
                    str(folder),
                    "-o",
                    str(tmp / f"out{n}.csv"),
                    "-q",
                    "--n-jobs",
                    str(THREADS),
                    "--chunk-size",
                    str(CHUNK),
                ],  # fmt: skip
                "plain loop": [
                    sys.executable,
                    str(loop),
                    str(model_path),
                    str(folder),
                    str(tmp / f"loop{n}.csv"),
                ],  # fmt: skip
            }
            for side, command in sides.items():
                wall, peak = _run(command, env)
                results[n, side] = (n / wall, peak)
                print(f"{n:>7,} {side:<18} {n / wall:>8.1f} {peak / 2**20:>9.0f}")
            a = np.loadtxt(tmp / f"out{n}.csv", delimiter=",", skiprows=1, dtype=str)
            b = np.loadtxt(tmp / f"loop{n}.csv", delimiter=",", skiprows=1, dtype=str)
            a, b = a[np.argsort(a[:, 0])], b[np.argsort(b[:, 0])]  # same id order
            assert (a == b).all(), "the two sides predict differently"
            ratio = results[n, "skgalaxy predict"][0] / results[n, "plain loop"][0]
            print(f"{'':>7} ratio (skgalaxy / loop): {ratio:.2f}x (target >= 1.5x)")
            for p in folder.iterdir():
                p.unlink()
            folder.rmdir()
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        for side in ("skgalaxy predict", "plain loop"):
            grow = results[large, side][1] / results[small, side][1] - 1
            print(
                f"peak memory of {side}, N = {large:,} vs {small:,}: "
                f"{grow:+.1%} (target for skgalaxy: within 10 %)"
            )


if __name__ == "__main__":
    main()
