"""The CNN architectures (_modules.py) and the batch augmentation (_augment.py)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from numpy.testing import assert_allclose  # noqa: E402

from skgalaxy.neural_network import AlexNetLike, ConvNet, GalaxyZooNet, VGG16Net  # noqa: E402
from skgalaxy.neural_network._augment import (  # noqa: E402
    augment_batch,
    dihedral_views,
    resolve_augment,
)
from skgalaxy.neural_network._modules import make_activation  # noqa: E402


def n_params(module):
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


# ---------------------------------------------------------- GalaxyZooNet
def test_galaxy_zoo_net_parameter_count_matches_the_report():
    # Keras reported 848,133 trainable parameters at 150x150x1 with 37 outputs.
    assert n_params(GalaxyZooNet(in_channels=1, n_outputs=37, image_size=150)) == 848133


def test_galaxy_zoo_net_layer_sequence_is_conv_relu_batchnorm_pool():
    net = GalaxyZooNet(image_size=150)
    convs = [m for m in net.features if isinstance(m, torch.nn.Conv2d)]
    assert [(c.out_channels, c.kernel_size[0], c.padding[0]) for c in convs] == [
        (32, 7, 0),
        (32, 7, 0),
        (64, 5, 0),
        (64, 5, 0),
        (128, 3, 0),
        (256, 3, 0),
    ]
    kinds = [type(m).__name__ for m in net.features[:4]]
    assert kinds == ["Conv2d", "ReLU", "BatchNorm2d", "MaxPool2d"]
    assert [m.out_features for m in net.head if isinstance(m, torch.nn.Linear)] == [
        512,
        256,
        37,
    ]


def test_galaxy_zoo_net_smallest_image_is_146():
    net = GalaxyZooNet(image_size=146).eval()
    assert net(torch.zeros(1, 1, 146, 146)).shape == (1, 37)
    with pytest.raises(ValueError, match=r"145x150 pixels are too small.*146x146"):
        GalaxyZooNet(image_size=(145, 150))


# ------------------------------------------------------------------ ConvNet
def test_convnet_takes_any_size_above_its_minimum():
    net = ConvNet(in_channels=3, n_outputs=4, n_blocks=3, filters=(4, 8, 8)).eval()
    for h, w in [(8, 8), (9, 31), (40, 12)]:
        assert net(torch.zeros(2, 3, h, w)).shape == (2, 4)
    with pytest.raises(ValueError, match=r"7x8 pixels are too small for n_blocks=3"):
        ConvNet(n_blocks=3, image_size=(7, 8))


def test_convnet_knobs_reach_the_layers():
    net = ConvNet(
        n_blocks=2,
        filters=5,
        kernel_size=(5, 3),
        activation="tanh",
        batch_norm=False,
        hidden_units=(7, 6),
        dropout=0.25,
    )
    convs = [m for m in net.features if isinstance(m, torch.nn.Conv2d)]
    assert [(c.out_channels, c.kernel_size[0]) for c in convs] == [(5, 5), (10, 3)]
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in net.modules())
    assert any(isinstance(m, torch.nn.Tanh) for m in net.features)
    assert [m.out_features for m in net.head if isinstance(m, torch.nn.Linear)] == [
        7,
        6,
        1,
    ]
    assert sum(isinstance(m, torch.nn.Dropout) for m in net.head) == 2


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"n_blocks": 0}, ValueError, "n_blocks == 0, must be >= 1"),
        ({"n_blocks": 2, "filters": (4, 4, 4)}, ValueError, "filters has 3 entries"),
        ({"kernel_size": 4}, ValueError, "kernel_size must be odd"),
        ({"activation": "swishy"}, ValueError, "Unknown activation 'swishy'"),
        ({"activation": 3}, TypeError, "activation must be a name"),
    ],
)
def test_convnet_bad_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        ConvNet(**kwargs)


def test_make_activation_accepts_a_module_class():
    assert isinstance(make_activation(torch.nn.Hardtanh), torch.nn.Hardtanh)
    assert torch.equal(make_activation("exponential")(torch.zeros(2)), torch.ones(2))


# ----------------------------------------------------------- AlexNetLike
@pytest.mark.parametrize("n_extra_conv, n_conv", [(0, 2), (1, 3), (3, 5)])
def test_alexnet_like_extra_conv_layers(n_extra_conv, n_conv):
    net = AlexNetLike(image_size=60, n_extra_conv=n_extra_conv, activation="elu")
    convs = [m for m in net.features if isinstance(m, torch.nn.Conv2d)]
    assert len(convs) == n_conv
    assert sum(isinstance(m, torch.nn.ELU) for m in net.features) == n_conv
    assert net.eval()(torch.zeros(1, 1, 60, 60)).shape == (1, 5)


def test_alexnet_like_geometry_matches_the_assignment_at_60px():
    # the assignment's table: 15x15x96 -> 8x8 -> 4x4x256 -> (3 extra) -> 2x2x256 = 1024
    net = AlexNetLike(image_size=60, n_extra_conv=3)
    first_dense = next(m for m in net.head.modules() if isinstance(m, torch.nn.Linear))
    assert first_dense.in_features == 1024
    x = net.features[:3](torch.zeros(1, 1, 60, 60))
    assert x.shape == (1, 96, 8, 8)
    with pytest.raises(ValueError, match="n_extra_conv == -1, must be >= 0"):
        AlexNetLike(n_extra_conv=-1)


# ------------------------------------------------------------------ VGG16
_TORCHVISION_CONV_INDICES = [0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28]


def _torchvision_state(features):
    """A state dict with torchvision's VGG16 key names (features + classifier)."""
    state = {f"features.{k}": v.clone() for k, v in features.state_dict().items()}
    state["classifier.0.weight"] = torch.zeros(4, 2)
    state["classifier.0.bias"] = torch.zeros(4)
    return state


def test_vgg16_features_use_torchvision_key_names():
    net = VGG16Net(image_size=32, base_filters=2)
    expected = {
        f"{i}.{p}" for i in _TORCHVISION_CONV_INDICES for p in ("weight", "bias")
    }
    assert set(net.features.state_dict()) == expected
    full = VGG16Net(image_size=212, n_outputs=37)
    # Miller's model summary: 34,677,605 parameters at 212x212x3
    assert n_params(full) == 34677605


def test_vgg16_loads_a_torchvision_state_dict_file(tmp_path):
    torch.manual_seed(0)
    source = VGG16Net(in_channels=3, image_size=32, base_filters=2)
    path = tmp_path / "vgg16.pth"
    torch.save(_torchvision_state(source.features), path)
    rgb = VGG16Net(in_channels=3, image_size=32, base_filters=2, weights=path)
    for k, v in source.features.state_dict().items():
        assert torch.equal(rgb.features.state_dict()[k], v)
    # gray images are repeated to the three channels the weights expect
    gray = VGG16Net(in_channels=1, image_size=32, base_filters=2, weights=str(path))
    gray.head.load_state_dict(rgb.head.state_dict())
    x = torch.rand(2, 1, 32, 32)
    assert_allclose(
        gray.eval()(x).detach(), rgb.eval()(x.expand(-1, 3, -1, -1)).detach(), 1e-6
    )


def test_vgg16_refuses_wrong_weight_files(tmp_path):
    small = VGG16Net(in_channels=3, image_size=32, base_filters=2)
    path = tmp_path / "w.pth"
    torch.save(_torchvision_state(small.features), path)
    with pytest.raises(ValueError, match=r"features.0.weight has shape"):
        VGG16Net(in_channels=3, image_size=32, base_filters=4, weights=path)
    torch.save({"classifier.0.weight": torch.zeros(1)}, path)
    with pytest.raises(ValueError, match="not a torchvision VGG16 state dict"):
        VGG16Net(image_size=32, base_filters=2, weights=path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        VGG16Net(image_size=32, base_filters=2, weights=tmp_path / "none.pth")
    with pytest.raises(ValueError, match="3-channel .* or 1-channel"):
        VGG16Net(in_channels=5, image_size=32, base_filters=2, weights=path)
    with pytest.raises(ValueError, match="too small for VGG16"):
        VGG16Net(image_size=31)


def test_vgg16_imagenet_normalisation():
    net = VGG16Net(image_size=32, base_filters=2, normalize="imagenet").eval()
    plain = VGG16Net(image_size=32, base_filters=2).eval()
    plain.load_state_dict(net.state_dict())
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    x = torch.rand(1, 3, 32, 32)
    assert_allclose(net(x).detach(), plain((x - mean) / std).detach(), rtol=1e-5)


# ------------------------------------------------------------------ augmentation
def _dihedral_images(x):
    return dihedral_views(x)


def test_augment_keeps_shape_dtype_and_device():
    x = torch.rand(5, 2, 12, 12)
    out = augment_batch(x, resolve_augment(True))
    assert out.shape == x.shape and out.dtype == x.dtype and out.device == x.device
    assert not torch.equal(out, x)


def test_augment_quarter_turns_and_flips_are_exact():
    torch.manual_seed(0)
    x = torch.rand(16, 1, 9, 9)
    opts = resolve_augment({"max_angle": 0, "zoom": 0, "shift": 0, "contrast": 0})
    out = augment_batch(x, opts)
    for i in range(len(x)):
        candidates = _dihedral_images(x[i : i + 1])
        errors = [float((c - out[i : i + 1]).abs().max()) for c in candidates]
        assert min(errors) < 1e-5
    # 16 random draws from 8 transforms hardly all pick the identity
    assert any(not torch.allclose(out[i], x[i], atol=1e-5) for i in range(len(x)))


def test_augment_contrast_keeps_each_image_mean():
    x = torch.rand(6, 1, 8, 8)
    opts = resolve_augment(
        {
            "flip": False,
            "rot90": False,
            "max_angle": 0,
            "zoom": 0,
            "shift": 0,
            "contrast": 0.5,
        }
    )
    out = augment_batch(x, opts)
    assert_allclose(out.mean(dim=(1, 2, 3)), x.mean(dim=(1, 2, 3)), atol=1e-6)
    assert not torch.allclose(out, x)


def test_augment_non_square_images_rotate_without_error():
    x = torch.rand(3, 1, 8, 14)
    assert augment_batch(x, resolve_augment(True)).shape == (3, 1, 8, 14)


@pytest.mark.parametrize(
    "augment, error, match",
    [
        ({"flips": True}, ValueError, r"Unknown augment option\(s\) \['flips'\]"),
        ({"zoom": 1.5}, ValueError, "must be in"),
        ({"max_angle": -1}, ValueError, "must be >= 0"),
        ("yes", TypeError, "augment must be a bool or a dict"),
    ],
)
def test_resolve_augment_bad_options(augment, error, match):
    with pytest.raises(error, match=match):
        resolve_augment(augment)


def test_dihedral_views_count():
    x = torch.arange(6.0).view(1, 1, 2, 3)
    views = dihedral_views(x)
    assert len(views) == 4
    assert len({tuple(v.flatten().tolist()) for v in views}) == 4
    sq = torch.arange(9.0).view(1, 1, 3, 3)
    assert len({tuple(v.flatten().tolist()) for v in dihedral_views(sq)}) == 8


def _which_views(x, out):
    """Index of the dihedral view of each x[i] that out[i] is (exactly)."""
    views = dihedral_views(x)
    found = []
    for i in range(len(x)):
        matches = [k for k, v in enumerate(views) if torch.equal(v[i], out[i])]
        assert matches, f"image {i} is not a dihedral view of its input"
        found.append(matches[0])
    return set(found)


@pytest.mark.parametrize(
    "flip, rot90, expected",
    [
        (True, True, set(range(8))),  # the whole group of the square
        (False, True, {0, 3, 5, 6}),  # rotations only: identity, half and quarter turns
        (True, False, {0, 1, 2, 3}),  # flips only (and their product, the half turn)
    ],
)
def test_augment_draws_the_dihedral_group_the_options_allow(flip, rot90, expected):
    torch.manual_seed(0)
    # an image with no symmetry at all, so every view is distinct
    x = torch.arange(49.0).view(1, 1, 7, 7).pow(1.5).repeat(200, 1, 1, 1)
    opts = resolve_augment(
        {
            "flip": flip,
            "rot90": rot90,
            "max_angle": 0,
            "zoom": 0,
            "shift": 0,
            "contrast": 0,
        }
    )
    assert _which_views(x, augment_batch(x, opts)) == expected


def test_augment_without_flips_never_mirrors_a_spiral():
    # with flips off (handedness tasks) no drawn view is a reflection
    torch.manual_seed(1)
    x = torch.rand(1, 1, 9, 9).repeat(300, 1, 1, 1)
    opts = resolve_augment({"flip": False, "max_angle": 0, "zoom": 0, "shift": 0})
    reflections = {1, 2, 4, 7}  # views: flips and transposes
    assert not _which_views(x, augment_batch(x, {**opts, "contrast": 0})) & reflections


def test_augment_shift_moves_the_image():
    torch.manual_seed(0)
    x = torch.zeros(8, 1, 32, 32)
    x[:, :, 15:17, 15:17] = 1.0
    opts = resolve_augment(
        {
            "flip": False,
            "rot90": False,
            "max_angle": 0,
            "zoom": 0,
            "shift": 0.2,
            "contrast": 0,
        }
    )
    out = augment_batch(x, opts)
    peaks = out.flatten(1).argmax(dim=1)
    assert len(set(peaks.tolist())) > 1


def test_rotation_invariant_resnet_gives_one_output_for_all_eight_views():
    from skgalaxy.neural_network import ResNet, RotationInvariantResNet

    torch.manual_seed(0)
    net = RotationInvariantResNet(in_channels=3, n_outputs=4, width=8).eval()
    x = torch.rand(2, 3, 32, 32)
    reference = net(x)
    for view in dihedral_views(x):
        assert_allclose(net(view).detach(), reference.detach(), atol=1e-5)
    plain = ResNet(in_channels=3, n_outputs=4, width=8).eval()
    plain.load_state_dict(net.state_dict())
    # the plain backbone is not invariant (else the option would buy nothing)
    assert not torch.allclose(plain(torch.rot90(x, 1, (-2, -1))), plain(x), atol=1e-4)


def test_resnet_depth_width_and_size_checks():
    from skgalaxy.neural_network import ResNet

    net = ResNet(in_channels=1, n_outputs=2, n_blocks=4, width=8, blocks_per_stage=2)
    convs = [m for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
    assert len(convs) == 1 + 4 * 2 * 2 + 3  # stem, two per block, 3 projections
    assert net.n_features == 64
    assert net.eval()(torch.zeros(1, 1, 16, 16)).shape == (1, 2)
    with pytest.raises(ValueError, match="too small for n_blocks=4"):
        ResNet(n_blocks=4, image_size=15)
    with pytest.raises(ValueError, match="width == 0"):
        ResNet(width=0)


def test_tree_head_is_consistent_with_the_tree():
    from skgalaxy.datasets import tree_consistency_error
    from skgalaxy.neural_network._cnn import _tree_head

    logits = torch.randn(5, 37, requires_grad=True)
    out = _tree_head(logits)
    out.sum().backward()  # differentiable, no in-place trouble
    votes = out.detach().numpy()
    assert_allclose(votes[:, :3].sum(axis=1), 1.0, rtol=1e-6)
    assert np.max(tree_consistency_error(votes)) < 1e-5
    assert (votes >= 0).all() and (votes <= 1).all()


def test_alexnet_like_filters_make_a_narrower_network():
    net = AlexNetLike(image_size=32, n_extra_conv=3, filters=(8, 16, 24, 12))
    convs = [m.out_channels for m in net.features if isinstance(m, torch.nn.Conv2d)]
    assert convs == [8, 16, 24, 24, 12]
    assert net.eval()(torch.zeros(1, 1, 32, 32)).shape == (1, 5)


def test_vgg16_batch_norm_uses_vgg16_bn_layout_and_loads(tmp_path):
    net = VGG16Net(image_size=32, base_filters=2, batch_norm=True)
    keys = net.features.state_dict()
    # torchvision's vgg16_bn: conv at 0, batch norm at 1, ReLU at 2, conv at 3, ...
    assert "0.weight" in keys and "1.running_mean" in keys and "3.weight" in keys
    assert sum(isinstance(m, torch.nn.BatchNorm2d) for m in net.features) == 13
    with torch.no_grad():
        net.features[1].running_mean.fill_(0.5)
    path = tmp_path / "vgg16_bn.pth"
    torch.save(_torchvision_state(net.features), path)
    loaded = VGG16Net(image_size=32, base_filters=2, batch_norm=True, weights=path)
    assert torch.equal(loaded.features[1].running_mean, net.features[1].running_mean)
