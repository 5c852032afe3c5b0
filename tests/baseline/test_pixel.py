import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline

from skgalaxy.baseline import PixelBaselineRegressor
from skgalaxy.metrics import kaggle_rmse, neg_kaggle_rmse_scorer

STRATEGIES = ["mean", "central_pixel", "average_pixel", "central_patch_cluster"]


@pytest.fixture
def images(rng):
    """Images whose central pixel and mean colour both carry signal."""
    X = rng.integers(0, 256, size=(120, 21, 21, 3), dtype=np.uint8)
    centre = X[:, 10, 10].astype(float) / 255
    mean = X.mean(axis=(1, 2)) / 255
    y = np.column_stack(
        [centre[:, 0], 0.5 * centre[:, 1] + 0.2, mean[:, 2], rng.random(120)]
    )
    return X, y


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_pixel_baseline_shapes(strategy, images):
    X, y = images
    reg = PixelBaselineRegressor(strategy, patch_size=5).fit(X, y)
    assert reg.predict(X).shape == y.shape
    assert reg.predict(X[:3]).dtype == np.float64
    assert reg.n_outputs_ == 4
    assert reg.image_shape_ == (21, 21, 3)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_pixel_baseline_one_dimensional_target(strategy, images):
    X, y = images
    reg = PixelBaselineRegressor(strategy, patch_size=5)
    assert reg.fit(X, y[:, 0]).predict(X).shape == (len(X),)
    assert reg.fit(X, y[:, :1]).predict(X).shape == (len(X), 1)


def test_pixel_baseline_mean_strategy(images):
    X, y = images
    reg = PixelBaselineRegressor("mean").fit(X, y)
    assert_allclose(reg.predict(X[:5]), np.tile(y.mean(axis=0), (5, 1)))
    w = np.linspace(0, 1, len(y))
    reg.fit(X, y, sample_weight=w)
    assert_allclose(reg.constant_, np.average(y, axis=0, weights=w))


def test_pixel_baseline_central_pixel_is_the_reports_regression(images):
    X, y = images
    reg = PixelBaselineRegressor("central_pixel").fit(X, y)
    features = X[:, 10, 10, :] / 255
    expected = LinearRegression().fit(features, y).predict(features)
    assert_allclose(reg.predict(X), expected, atol=1e-10)
    # The first two targets are linear in the central pixel: recovered exactly.
    assert_allclose(reg.predict(X)[:, :2], y[:, :2], atol=1e-10)


def test_pixel_baseline_central_pixel_even_size_uses_int_half(rng):
    # Hildebrandt's report takes pic[:, int(h / 2), int(w / 2)].
    X = rng.random((30, 8, 6))
    y = X[:, 4, 3]
    reg = PixelBaselineRegressor("central_pixel").fit(X, y)
    assert_allclose(reg.predict(X), y, atol=1e-10)


def test_pixel_baseline_average_pixel_is_the_reports_regression(images):
    X, y = images
    reg = PixelBaselineRegressor("average_pixel").fit(X, y)
    features = X.mean(axis=(1, 2)) / 255
    expected = LinearRegression().fit(features, y).predict(features)
    assert_allclose(reg.predict(X), expected, atol=1e-10)
    assert_allclose(reg.predict(X)[:, 2], y[:, 2], atol=1e-10)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_pixel_baseline_dtypes_agree(strategy, images):
    X, y = images
    ref = PixelBaselineRegressor(strategy, patch_size=5).fit(X, y).predict(X)
    for dtype in (np.float32, np.float64):
        Xf = X.astype(dtype) / dtype(255)
        got = PixelBaselineRegressor(strategy, patch_size=5).fit(Xf, y).predict(Xf)
        assert_allclose(got, ref, rtol=1e-5, atol=1e-6)


def test_pixel_baseline_gray_images(rng):
    X = rng.random((40, 12, 12))
    y = np.column_stack([X.mean(axis=(1, 2)), X[:, 6, 6]])
    avg = PixelBaselineRegressor("average_pixel").fit(X, y)
    assert avg.image_shape_ == (12, 12)
    assert_allclose(avg.predict(X)[:, 0], y[:, 0], atol=1e-10)


def _two_colour_galaxies(n_per_group, patch_size, size=20):
    """Half the galaxies have a dark centre, half a bright one; votes follow."""
    X = np.full((2 * n_per_group, size, size, 3), 0.5)
    X[:n_per_group] = 0.5  # the outskirts are identical
    lo = (size - patch_size) // 2
    centre = (slice(None), slice(lo, lo + patch_size), slice(lo, lo + patch_size))
    X[:n_per_group][centre] = 0.1
    X[n_per_group:][centre] = 0.9
    y = np.zeros((2 * n_per_group, 2))
    y[:n_per_group] = [0.8, 0.2]
    y[n_per_group:] = [0.3, 0.7]
    return X, y


def test_pixel_baseline_patch_cluster_predicts_group_means():
    X, y = _two_colour_galaxies(10, patch_size=4)
    reg = PixelBaselineRegressor("central_patch_cluster", patch_size=4).fit(X, y)
    assert_allclose(reg.predict(X), y)
    assert_array_equal(reg.group_counts_, [10, 10])
    assert reg.group_means_.shape == (2, 2)
    mean = PixelBaselineRegressor("mean").fit(X, y)
    assert kaggle_rmse(y, mean.predict(X)) == pytest.approx(0.25)


def test_pixel_baseline_patch_cluster_means_the_patch_not_the_pixel():
    X, y = _two_colour_galaxies(10, patch_size=4)
    # Same patch means, but the central pixel of each image says the opposite.
    X[:10, 10, 10] = 0.9
    X[10:, 10, 10] = 0.1
    X[:10, 9, 9] = 0.1 - (0.9 - 0.1)  # keep the dark patch's mean at 0.1
    X[10:, 9, 9] = 0.9 + (0.9 - 0.1)
    reg = PixelBaselineRegressor("central_patch_cluster", patch_size=4).fit(X, y)
    assert_allclose(reg.predict(X), y)


def test_pixel_baseline_patch_cluster_unseen_group_gets_global_mean():
    X, y = _two_colour_galaxies(10, patch_size=4)
    reg = PixelBaselineRegressor("central_patch_cluster", patch_size=4, n_levels=4).fit(
        X, y
    )
    # A mid-grey centre falls in a bin between the two seen groups.
    X_new = np.full((1, 20, 20, 3), 0.5)
    assert_allclose(reg.predict(X_new), [y.mean(axis=0)])
    # Colours beyond the training range go to the end bins.
    X_bright = np.ones((1, 20, 20, 3))
    assert_allclose(reg.predict(X_bright), [[0.3, 0.7]])


def test_pixel_baseline_patch_cluster_one_level_is_the_mean(images):
    X, y = images
    reg = PixelBaselineRegressor("central_patch_cluster", n_levels=1).fit(X, y)
    assert_allclose(reg.predict(X), np.tile(y.mean(axis=0), (len(X), 1)))


def test_pixel_baseline_patch_cluster_sample_weight():
    X, y = _two_colour_galaxies(2, patch_size=4)
    y = y.copy()
    y[0] = [1.0, 0.0]  # the two dark galaxies now differ
    w = np.array([3.0, 1.0, 1.0, 1.0])
    reg = PixelBaselineRegressor("central_patch_cluster", patch_size=4)
    reg.fit(X, y, sample_weight=w)
    assert_allclose(reg.predict(X[:1]), [[0.95, 0.05]])


def test_pixel_baseline_patch_cluster_many_levels_overflow(rng):
    X = rng.random((10, 12, 12, 40))
    with pytest.raises(ValueError, match="more than a 64-bit"):
        PixelBaselineRegressor("central_patch_cluster", n_levels=8).fit(
            X, rng.random(10)
        )


def test_pixel_baseline_clip_to_training_range(rng):
    X = rng.random((50, 9, 9))
    y = np.clip(X[:, 4, 4] * 2 - 0.5, 0, 1)  # linear, then clipped: LR overshoots
    unclipped = PixelBaselineRegressor("central_pixel").fit(X, y).predict(X)
    clipped = PixelBaselineRegressor("central_pixel", clip=True).fit(X, y).predict(X)
    assert unclipped.min() < 0 and unclipped.max() > 1
    assert clipped.min() == 0 and clipped.max() == 1
    assert kaggle_rmse(y, clipped) < kaggle_rmse(y, unclipped)


def test_pixel_baseline_custom_estimator(images):
    X, y = images
    reg = PixelBaselineRegressor(
        "central_pixel", estimator=KNeighborsRegressor(n_neighbors=1)
    ).fit(X, y)
    assert isinstance(reg.estimator_, KNeighborsRegressor)
    assert reg.estimator is not reg.estimator_
    assert_allclose(reg.predict(X), y)  # 1-NN on distinct pixels remembers y


def test_pixel_baseline_estimator_without_sample_weight(images):
    X, y = images
    reg = PixelBaselineRegressor("average_pixel", estimator=KNeighborsRegressor())
    with pytest.raises(ValueError, match="does not accept sample_weight"):
        reg.fit(X, y, sample_weight=np.ones(len(X)))


def test_pixel_baseline_estimator_sample_weight_is_forwarded(images):
    X, y = images
    w = np.linspace(0.1, 1, len(X))
    reg = PixelBaselineRegressor("average_pixel").fit(X, y, sample_weight=w)
    features = X.mean(axis=(1, 2)) / 255
    expected = LinearRegression().fit(features, y, sample_weight=w).predict(features)
    assert_allclose(reg.predict(X), expected, atol=1e-10)


def test_pixel_baseline_estimator_ignored_by_mean(images):
    X, y = images
    reg = PixelBaselineRegressor("mean", estimator=Ridge()).fit(X, y)
    assert not hasattr(reg, "estimator_")


def test_pixel_baseline_score_is_r2(images):
    from sklearn.metrics import r2_score

    X, y = images
    reg = PixelBaselineRegressor("central_pixel").fit(X, y)
    assert reg.score(X, y) == pytest.approx(r2_score(y, reg.predict(X)))


def test_pixel_baseline_score_rejects_wrong_target_width(images):
    X, y = images
    reg = PixelBaselineRegressor("mean").fit(X, y)
    with pytest.raises(ValueError, match="fitted on 4 target"):
        reg.score(X, y[:, :3])
    with pytest.raises(ValueError, match="fitted on 4 target"):
        reg.score(X, y[:, 0])


def test_pixel_baseline_rejects_small_images_for_patch(rng):
    X = rng.random((5, 8, 8, 3))
    with pytest.raises(
        ValueError, match=r"8x8 pixels, smaller than the central patch.*patch_size=10"
    ):
        PixelBaselineRegressor("central_patch_cluster").fit(X, rng.random(5))
    # Other strategies take any size.
    PixelBaselineRegressor("central_pixel").fit(X, rng.random(5))


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_pixel_baseline_rejects_nan_images(strategy, images):
    X, y = images
    X = X / 255.0
    X[3, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="X contains NaN"):
        PixelBaselineRegressor(strategy, patch_size=5).fit(X, y)


def test_pixel_baseline_rejects_nan_targets(images):
    X, y = images
    y = y.copy()
    y[2, 1] = np.nan
    with pytest.raises(ValueError, match="y contains NaN"):
        PixelBaselineRegressor().fit(X, y)
    reg = PixelBaselineRegressor().fit(X, np.nan_to_num(y))
    with pytest.raises(ValueError, match="y contains NaN"):
        reg.score(X, y)


def test_pixel_baseline_rejects_bad_target_shapes(images, rng):
    X, y = images
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        PixelBaselineRegressor().fit(X, y[:-1])
    with pytest.raises(ValueError, match=r"expected \(n_samples,\) or"):
        PixelBaselineRegressor().fit(X, rng.random((len(X), 2, 2)))


def test_pixel_baseline_rejects_other_image_shape_at_predict(images):
    X, y = images
    reg = PixelBaselineRegressor().fit(X, y)
    with pytest.raises(ValueError, match="fitted on images of shape 21x21x3"):
        reg.predict(X[:, :20, :20])


def test_pixel_baseline_rejects_2d_input(images):
    X, y = images
    with pytest.raises(ValueError, match="3-D or 4-D array of images"):
        PixelBaselineRegressor().fit(X.reshape(len(X), -1), y)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"strategy": "median"}, "strategy"),
        ({"patch_size": 0}, "patch_size"),
        ({"n_levels": 0}, "n_levels"),
        ({"estimator": "linear"}, "estimator"),
    ],
)
def test_pixel_baseline_rejects_bad_params(params, match, images):
    X, y = images
    with pytest.raises(ValueError, match=match):
        PixelBaselineRegressor(**params).fit(X, y)


def test_pixel_baseline_not_fitted(images):
    with pytest.raises(NotFittedError):
        PixelBaselineRegressor().predict(images[0])


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_pixel_baseline_pickle_and_no_mutation(strategy, images):
    X, y = images
    X_copy, y_copy = X.copy(), y.copy()
    reg = PixelBaselineRegressor(strategy, patch_size=5).fit(X, y)
    assert_array_equal(X, X_copy)
    assert_array_equal(y, y_copy)
    restored = pickle.loads(pickle.dumps(reg))
    assert_array_equal(restored.predict(X), reg.predict(X))


def test_pixel_baseline_grid_search_over_strategy(images):
    X, y = images
    grid = GridSearchCV(
        PixelBaselineRegressor(patch_size=5),
        {"strategy": STRATEGIES},
        scoring=neg_kaggle_rmse_scorer,
        cv=3,
    ).fit(X, y)
    scores = dict(
        zip(
            [p["strategy"] for p in grid.cv_results_["params"]],
            grid.cv_results_["mean_test_score"],
        )
    )
    # Targets depend linearly on the central pixel: it must win.
    assert grid.best_params_ == {"strategy": "central_pixel"}
    assert scores["central_pixel"] > scores["mean"]


def test_pixel_baseline_in_pipeline_and_clone(images):
    from sklearn.preprocessing import FunctionTransformer

    X, y = images
    pipe = make_pipeline(
        FunctionTransformer(lambda Z: Z[:, 1:-1, 1:-1]),
        PixelBaselineRegressor("average_pixel"),
    ).fit(X, y)
    assert pipe.predict(X).shape == y.shape
    reg = clone(PixelBaselineRegressor("mean", n_levels=3, clip=True))
    assert reg.get_params()["n_levels"] == 3
    assert not hasattr(reg, "image_shape_")


def test_pixel_baseline_ordering_on_synthetic_votes():
    # As in Hildebrandt's report: every pixel baseline beats the mean vote, on
    # the ideal look, where the votes follow what the pixels show (on 32-pixel
    # SDSS-look images the patch clusters are too noisy to beat the mean).
    from sklearn.model_selection import train_test_split

    from skgalaxy.datasets import make_galaxies

    X, _, votes = make_galaxies(
        600, image_size=32, return_votes=True, survey="ideal", random_state=0
    )
    X_train, X_test, v_train, v_test = train_test_split(
        X, votes, test_size=0.25, random_state=0
    )
    rmse = {
        s: kaggle_rmse(
            v_test, PixelBaselineRegressor(s).fit(X_train, v_train).predict(X_test)
        )
        for s in STRATEGIES
    }
    for strategy in STRATEGIES[1:]:
        assert rmse[strategy] <= rmse["mean"], rmse


@pytest.mark.shared_data
def test_pixel_baseline_real_decals_vote_fractions(shared_data):
    # 470 Galaxy Zoo DECaLS galaxies with three real vote-fraction columns.
    data = np.load(shared_data / "zoobot_rings" / "zoobot_rings_128.npz")
    columns = [
        "smooth_or_featured_featured_or_disk_fraction",
        "disk_edge_on_no_fraction",
        "has_spiral_arms_no_fraction",
    ]
    X, y = data["X"], np.column_stack([data[c] for c in columns])
    X_train, X_test, y_train, y_test = X[::2], X[1::2], y[::2], y[1::2]
    rmse = {}
    for strategy in STRATEGIES:
        reg = PixelBaselineRegressor(strategy, n_levels=4).fit(X_train, y_train)
        pred = reg.predict(X_test)
        assert pred.shape == y_test.shape
        rmse[strategy] = kaggle_rmse(y_test, pred)
    # As Hildebrandt's report found on Kaggle data: colour barely moves the error.
    for strategy in STRATEGIES[1:]:
        assert abs(rmse[strategy] - rmse["mean"]) < 0.1 * rmse["mean"], rmse
