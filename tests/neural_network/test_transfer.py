"""pretrained= and freeze= of the CNN estimators, and CNNEmbedder."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from numpy.testing import assert_allclose  # noqa: E402
from sklearn.base import clone  # noqa: E402

from skgalaxy.neural_network import CNNClassifier, CNNRegressor  # noqa: E402

SMALL = {
    "module__width": 4,
    "module__n_blocks": 2,
    "batch_size": 16,
    "max_epochs": 2,
    "mixed_precision": False,
    "random_state": 0,
}


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(48, 16, 16, 3), dtype=np.uint8)
    X[:24, 6:10, 6:10] = 250
    votes = rng.random((48, 5)).astype(np.float32)
    labels = np.where(np.arange(48) < 24, "smooth", "featured")
    return X, votes, labels


@pytest.fixture(scope="module")
def source(data):
    X, votes, _ = data
    return CNNRegressor(**SMALL).fit(X, votes)


def _backbone(net):
    return {
        k: v.clone()
        for k, v in net.module_.state_dict().items()
        if not k.startswith("head.")
    }


@pytest.mark.parametrize("how", ["estimator", "state_dict"])
def test_pretrained_copies_every_layer_but_the_head(source, data, how):
    X, _, labels = data
    pretrained = source if how == "estimator" else source.module_.state_dict()
    clf = CNNClassifier(**{**SMALL, "max_epochs": 1}, lr=0.0, pretrained=pretrained)
    clf.fit(X, labels)
    mine, theirs = clf.module_.state_dict(), source.module_.state_dict()
    for key, value in _backbone(source).items():
        if key.endswith(("running_mean", "running_var", "num_batches_tracked")):
            continue  # lr=0 freezes weights, not batch-norm statistics
        assert torch.equal(mine[key], value), key
    assert mine["head.weight"].shape == (2, theirs["head.weight"].shape[1])


def test_freeze_backbone_leaves_frozen_weights_and_statistics_unchanged(source, data):
    X, _, labels = data
    before = _backbone(source)
    clf = CNNClassifier(**SMALL, pretrained=source, freeze="backbone").fit(X, labels)
    after = clf.module_.state_dict()
    for key, value in before.items():
        assert torch.equal(after[key], value), key
    # the head did train
    assert not torch.equal(after["head.bias"], clf.module_.head.bias.new_zeros(2))
    trainable = {n for n, p in clf.module_.named_parameters() if p.requires_grad}
    assert trainable == {"head.weight", "head.bias"}


def test_freeze_k_trains_the_last_k_blocks_and_the_head(source, data):
    X, _, labels = data
    before = _backbone(source)
    clf = CNNClassifier(**SMALL, pretrained=source, freeze=1).fit(X, labels)
    after = clf.module_.state_dict()
    stem = [k for k in before if k.startswith(("stem.", "features.0."))]
    last = [k for k in before if k.startswith("features.1.") and "weight" in k]
    assert all(torch.equal(after[k], before[k]) for k in stem)
    assert any(not torch.equal(after[k], before[k]) for k in last)
    with pytest.raises(ValueError, match="has 3 blocks before its head"):
        CNNClassifier(**SMALL, pretrained=source, freeze=4).fit(X, labels)


def test_pretrained_from_a_saved_model_and_an_encoder_file(source, data, tmp_path):
    pytest.importorskip("safetensors")
    pytest.importorskip("skops")
    from safetensors.torch import save_file

    from skgalaxy import persistence

    X, _, labels = data
    persistence.save(source, tmp_path / "source.skgalaxy")
    encoder = {k: v.contiguous() for k, v in _backbone(source).items()}
    save_file(encoder, tmp_path / "encoder.safetensors")
    expected = _backbone(source)
    for path in (tmp_path / "source.skgalaxy", tmp_path / "encoder.safetensors"):
        clf = CNNClassifier(**SMALL, pretrained=str(path), freeze="backbone")
        clf.fit(X, labels)
        for key, value in expected.items():
            assert torch.equal(clf.module_.state_dict()[key], value), (path, key)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda X: X[..., 0], r"trained on 3-channel images, these have 1"),
        (lambda X: X, "another architecture"),
    ],
)
def test_pretrained_that_does_not_fit_is_a_clear_error(source, data, make, match):
    X, _, labels = data
    params = {**SMALL}
    if match == "another architecture":
        params["module__n_blocks"] = 3
    with pytest.raises(ValueError, match=match):
        CNNClassifier(**params, pretrained=source).fit(make(X), labels)


def test_unfitted_or_missing_pretrained_is_a_clear_error(data, tmp_path):
    X, _, labels = data
    unfitted = CNNRegressor(**SMALL)
    with pytest.raises(ValueError, match="is not fitted.*GridSearchCV"):
        CNNClassifier(**SMALL, pretrained=unfitted).fit(X, labels)
    with pytest.raises(FileNotFoundError, match="neither a file nor the name"):
        CNNClassifier(**SMALL, pretrained=str(tmp_path / "none")).fit(X, labels)
    with pytest.raises(TypeError, match="pretrained must be"):
        CNNClassifier(**SMALL, pretrained=3).fit(X, labels)


def test_pretrained_state_dict_survives_clone(source, data):
    X, _, labels = data
    clf = CNNClassifier(
        **SMALL, pretrained=source.module_.state_dict(), freeze="backbone"
    )
    twin = clone(clf).fit(X, labels)
    assert_allclose(
        twin.module_.stem[0].weight.detach(), source.module_.stem[0].weight.detach()
    )


# --------------------------------------------------------------- CNNEmbedder
def test_embedder_features_are_what_the_fitted_network_sees(source, data):
    from skgalaxy.neural_network import CNNEmbedder

    X, _, _ = data
    embed = CNNEmbedder(source, mixed_precision=False).fit(X)
    F = embed.transform(X)
    assert F.shape == (len(X), source.module_.n_features) and F.dtype == np.float32
    x = torch.from_numpy(X[:4]).permute(0, 3, 1, 2).float() / 255
    with torch.no_grad():
        expected = source.module_.eval().embed(x).numpy()
    assert_allclose(F[:4], expected, rtol=1e-4, atol=1e-5)
    # a copy: the source network is not changed by the embedder
    assert embed.network_ is not source.module_


def test_embedder_in_a_pipeline_with_a_linear_probe(source, data):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from skgalaxy.neural_network import CNNEmbedder

    X, _, labels = data
    probe = make_pipeline(
        CNNEmbedder(
            source.module_.state_dict(),
            module_params={"width": 4, "n_blocks": 2},
            mixed_precision=False,
        ),
        LogisticRegression(max_iter=500),
    ).fit(X, labels)
    assert probe.score(X, labels) > 0.6  # above chance on the bright-centre signal
    assert probe[0].get_feature_names_out()[0] == "cnnembedder0"


def test_embedder_views_make_features_rotation_invariant(data):
    from skgalaxy.neural_network import CNNEmbedder

    X, _, _ = data
    embed = CNNEmbedder(
        views=True, module_params={"width": 4}, mixed_precision=False, random_state=0
    ).fit(X)
    F = embed.transform(X[:5])
    assert_allclose(embed.transform(np.rot90(X[:5], axes=(1, 2))), F, atol=1e-5)
    assert_allclose(embed.transform(X[:5, :, ::-1]), F, atol=1e-5)


def test_embedder_with_random_weights_is_seeded(data):
    from skgalaxy.neural_network import CNNEmbedder

    X, _, _ = data
    a = CNNEmbedder(module_params={"width": 4}, random_state=1).fit(X).transform(X)
    b = CNNEmbedder(module_params={"width": 4}, random_state=1).fit(X).transform(X)
    c = CNNEmbedder(module_params={"width": 4}, random_state=2).fit(X).transform(X)
    assert_allclose(a, b) and not np.allclose(a, c)


def test_embedder_refuses_images_the_network_cannot_take(source, data):
    from skgalaxy.neural_network import CNNEmbedder

    X, _, _ = data
    with pytest.raises(ValueError, match="cannot take images of shape"):
        CNNEmbedder(source).fit(X[..., 0])


def test_shipped_encoder_loads_by_name_into_the_default_network(data):
    pytest.importorskip("safetensors")
    from safetensors.torch import load_file

    from skgalaxy.neural_network._transfer import _ENCODER_DIR, ENCODERS

    path = _ENCODER_DIR / ENCODERS["synthetic-sdss"]
    assert path.stat().st_size <= 10 * 2**20  # at most 10 MB
    shipped = load_file(str(path))
    assert not any(k.startswith("head.") for k in shipped)
    X, _, labels = data
    clf = CNNClassifier(
        pretrained="synthetic-sdss",
        freeze="backbone",
        max_epochs=1,
        batch_size=16,
        mixed_precision=False,
        random_state=0,
    ).fit(X, labels)
    state = clf.module_.state_dict()
    for key, value in shipped.items():
        assert torch.equal(state[key].float(), value.float()), key
    # gray images do not fit an encoder of colour images: a clear error
    with pytest.raises(ValueError, match="3-channel"):
        clone(clf).fit(X[..., 0], labels)
