"""Convolutional architectures for the CNN estimators, as plain ``nn.Module`` classes.

Every module takes ``in_channels``, ``n_outputs`` and ``image_size`` (the estimators
fill them from the training data) and returns one raw score per output; the output
head (sigmoid, softmax, Galaxy Zoo tree) is applied by the estimator. Each knob is a
constructor argument, so a CNN estimator reaches it as ``module__<name>`` (and
``GridSearchCV`` can tune it).

- :class:`ConvNet`: the generic network; depth is ``n_blocks``, padded convolutions and
  global average pooling, so any image of at least ``2**n_blocks`` pixels works.
- :class:`GalaxyZooNet`: the six-convolution network of Hildebrandt's Kaggle Galaxy
  Zoo report, exactly (848,133 parameters at 150x150x1 with 37 outputs).
- :class:`AlexNetLike`: an AlexNet-like classifier with ``n_extra_conv`` extra
  convolutions and a tunable ``activation``.
- :class:`VGG16Net`: Miller's VGG16 backbone (torchvision's layer layout, so a
  torchvision state dict loads into it) with a dense head.
"""

import numbers
from pathlib import Path

import torch
import torch.nn.functional as F
from sklearn.utils import check_scalar
from torch import nn

from ._augment import dihedral_views

__all__ = [
    "ACTIVATIONS",
    "ConvNet",
    "PRESETS",
    "ResNet",
    "RotationInvariantResNet",
    "AlexNetLike",
    "GalaxyZooNet",
    "VGG16Net",
    "make_activation",
]


class Exponential(nn.Module):
    """``exp(x)``, Keras' ``"exponential"`` activation (training with it diverges)."""

    def forward(self, x):
        """Return exp(x)."""
        return torch.exp(x)


#: Activation names accepted by ``activation`` parameters.
ACTIVATIONS = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "elu": nn.ELU,
    "selu": nn.SELU,
    "gelu": nn.GELU,
    "leaky_relu": nn.LeakyReLU,
    "softplus": nn.Softplus,
    "exponential": Exponential,
}


def make_activation(activation):
    """Return a new activation layer from a name or an ``nn.Module`` class.

    Parameters
    ----------
    activation : str or type
        One of :data:`ACTIVATIONS` (``"relu"``, ``"tanh"``, ``"sigmoid"``,
        ``"elu"``, ...) or an ``nn.Module`` subclass taking no arguments.

    Returns
    -------
    layer : nn.Module

    Examples
    --------
    >>> from skgalaxy.neural_network._modules import make_activation
    >>> make_activation("tanh")
    Tanh()
    """
    if isinstance(activation, str):
        try:
            return ACTIVATIONS[activation]()
        except KeyError:
            raise ValueError(
                f"Unknown activation {activation!r}; expected one of "
                f"{sorted(ACTIVATIONS)} or an nn.Module class."
            ) from None
    if isinstance(activation, type) and issubclass(activation, nn.Module):
        return activation()
    raise TypeError(
        f"activation must be a name from {sorted(ACTIVATIONS)} or an nn.Module "
        f"class, got {activation!r}."
    )


def _pair(size, name="image_size"):
    if size is None:
        return None
    if isinstance(size, numbers.Integral):
        size = (size, size)
    size = tuple(int(s) for s in size)
    if len(size) != 2 or min(size) < 1:
        raise ValueError(
            f"{name} must be (height, width) of positive ints, got {size}."
        )
    return size


def _conv_out(n, kernel, stride=1, padding=0):
    return (n + 2 * padding - kernel) // stride + 1


def _per_block(value, n_blocks, name):
    if isinstance(value, numbers.Integral):
        return [int(value)] * n_blocks
    value = [int(v) for v in value]
    if len(value) != n_blocks:
        raise ValueError(
            f"{name} has {len(value)} entries but n_blocks={n_blocks}; give one "
            "value per block or a single int."
        )
    return value


def _too_small(image_size, minimum, what):
    h, w = image_size
    return ValueError(
        f"Images of {h}x{w} pixels are too small for {what}: it needs at least "
        f"{minimum}x{minimum} pixels. Use larger images (skgalaxy's Resize) or a "
        "shallower network."
    )


def _dense_head(in_features, hidden_units, n_outputs, dropout, activation="relu"):
    layers = []
    for units in hidden_units:
        layers += [nn.Linear(in_features, units), make_activation(activation)]
        if dropout:
            layers.append(nn.Dropout(dropout))
        in_features = units
    layers.append(nn.Linear(in_features, n_outputs))
    return nn.Sequential(*layers)


class ConvNet(nn.Module):
    """Generic convolutional network: ``n_blocks`` conv blocks + global average pool.

    Each block is a padded convolution, optional batch norm, the activation and a
    2x2 max-pooling, so the network takes any image of at least ``2**n_blocks``
    pixels on each side; global average pooling then feeds the dense head.

    Parameters
    ----------
    in_channels : int, default=1
        Image channels (filled from the data by the CNN estimators).
    n_outputs : int, default=1
        Output scores (filled from the targets by the CNN estimators).
    image_size : int or tuple of (int, int) or None, default=None
        ``(height, width)`` of the images, used to check they are large enough.
    n_blocks : int, default=3
        Number of conv blocks (depth).
    filters : int or sequence of int, default=16
        An int doubles from block to block (16, 32, 64, ...); a sequence gives each
        block's filters.
    kernel_size : int or sequence of int, default=3
        Odd kernel size, one for all blocks or one per block.
    activation : str or type, default="relu"
        See :func:`make_activation`.
    batch_norm : bool, default=True
        Batch normalisation after each convolution.
    hidden_units : sequence of int, default=(64,)
        Sizes of the dense layers between the pooled features and the output.
    dropout : float, default=0.0
        Dropout after each dense layer.

    Examples
    --------
    >>> import torch
    >>> from skgalaxy.neural_network import ConvNet
    >>> net = ConvNet(in_channels=1, n_outputs=3, n_blocks=2)
    >>> net(torch.zeros(4, 1, 8, 12)).shape
    torch.Size([4, 3])
    """

    def __init__(
        self,
        in_channels=1,
        n_outputs=1,
        image_size=None,
        n_blocks=3,
        filters=16,
        kernel_size=3,
        activation="relu",
        batch_norm=True,
        hidden_units=(64,),
        dropout=0.0,
    ):
        super().__init__()
        check_scalar(n_blocks, "n_blocks", numbers.Integral, min_val=1)
        image_size = _pair(image_size)
        if image_size is not None and min(image_size) < 2**n_blocks:
            raise _too_small(image_size, 2**n_blocks, f"n_blocks={n_blocks}")
        if isinstance(filters, numbers.Integral):
            filters = [int(filters) * 2**i for i in range(n_blocks)]
        filters = _per_block(filters, n_blocks, "filters")
        kernels = _per_block(kernel_size, n_blocks, "kernel_size")
        if any(k % 2 == 0 or k < 1 for k in kernels):
            raise ValueError(f"kernel_size must be odd and positive, got {kernels}.")
        layers = []
        channels = in_channels
        for out, k in zip(filters, kernels):
            layers.append(
                nn.Conv2d(channels, out, k, padding=k // 2, bias=not batch_norm)
            )
            if batch_norm:
                layers.append(nn.BatchNorm2d(out))
            layers += [make_activation(activation), nn.MaxPool2d(2)]
            channels = out
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = _dense_head(channels, hidden_units, n_outputs, dropout)

    def forward(self, x):
        """Return the raw scores (one per output) of a batch of images.

        Parameters
        ----------
        x : torch.Tensor of shape (n, in_channels, height, width)
            Images.

        Returns
        -------
        scores : torch.Tensor of shape (n, n_outputs)
            One score per output, before the estimator's head (sigmoid,
            softmax or the Galaxy Zoo tree).
        """
        return self.head(torch.flatten(self.pool(self.features(x)), 1))


class _ResidualBlock(nn.Module):
    """Two 3x3 convolutions with batch norm, added to a (projected) shortcut."""

    def __init__(self, in_channels, out_channels, stride, activation):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.act1 = make_activation(activation)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.shortcut = nn.Identity()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                nn.BatchNorm2d(out_channels),
            )
        self.act2 = make_activation(activation)

    def forward(self, x):
        """Return the block's output: activation of the convolutions plus shortcut."""
        out = self.act1(self.bn1(self.conv1(x)))
        return self.act2(self.bn2(self.conv2(out)) + self.shortcut(x))


class ResNet(nn.Module):
    """A small residual network for galaxy cutouts: skgalaxy's default backbone.

    A stem convolution (stride ``stem_stride``), then ``n_blocks`` stages of
    ``blocks_per_stage`` residual blocks [1]_ (two 3x3 convolutions with batch norm
    and a shortcut); each stage after the first halves the resolution and doubles
    the width. Global average pooling and dropout feed one linear layer. With
    ``rotation_pooling=True`` the pooled features are averaged over the eight
    rotations and flips of each image before the head (the cheap form of the
    rotation-invariant views of Dieleman et al. [2]_), so the output does not
    change when the image is rotated by a quarter turn or flipped; it costs eight
    forward passes per image.

    Parameters
    ----------
    in_channels : int, default=1
        Image channels (filled from the data by the CNN estimators).
    n_outputs : int, default=1
        Output scores (filled from the targets by the CNN estimators).
    image_size : int or tuple of (int, int) or None, default=None
        ``(height, width)`` of the images, used to check they are large enough.
    n_blocks : int, default=3
        Residual stages (depth); the images must have at least
        ``stem_stride * 2 ** (n_blocks - 1)`` pixels on each side.
    width : int, default=32
        Filters of the stem and the first stage (doubled at each later stage).
    blocks_per_stage : int, default=1
        Residual blocks in each stage.
    stem_stride : int, default=2
        Stride of the stem convolution; 2 halves the resolution at once (four times
        less work for 64x64 cutouts), 1 keeps every pixel for small images.
    activation : str or type, default="relu"
        See :func:`make_activation`.
    dropout : float, default=0.0
        Dropout before the linear head.
    rotation_pooling : bool, default=False
        Average the features of the eight dihedral views of each image (four for
        rectangular images) before the head.

    References
    ----------
    .. [1] K. He, X. Zhang, S. Ren and J. Sun, "Deep Residual Learning for Image
       Recognition", CVPR 2016. https://arxiv.org/abs/1512.03385
    .. [2] S. Dieleman, K. W. Willett and J. Dambre, "Rotation-invariant
       convolutional neural networks for galaxy morphology prediction", MNRAS 450,
       1441 (2015). https://arxiv.org/abs/1503.07077

    Examples
    --------
    >>> import torch
    >>> from skgalaxy.neural_network import ResNet
    >>> net = ResNet(in_channels=3, n_outputs=4).eval()
    >>> net(torch.zeros(2, 3, 64, 64)).shape
    torch.Size([2, 4])
    """

    def __init__(
        self,
        in_channels=1,
        n_outputs=1,
        image_size=None,
        n_blocks=3,
        width=32,
        blocks_per_stage=1,
        stem_stride=2,
        activation="relu",
        dropout=0.0,
        rotation_pooling=False,
    ):
        super().__init__()
        check_scalar(n_blocks, "n_blocks", numbers.Integral, min_val=1)
        check_scalar(width, "width", numbers.Integral, min_val=1, max_val=4096)
        check_scalar(blocks_per_stage, "blocks_per_stage", numbers.Integral, min_val=1)
        check_scalar(stem_stride, "stem_stride", numbers.Integral, min_val=1)
        check_scalar(
            dropout,
            "dropout",
            numbers.Real,
            min_val=0,
            max_val=1,
            include_boundaries="left",
        )
        image_size = _pair(image_size)
        minimum = stem_stride * 2 ** (n_blocks - 1)
        if image_size is not None and min(image_size) < minimum:
            raise _too_small(image_size, minimum, f"n_blocks={n_blocks}")
        self.rotation_pooling = bool(rotation_pooling)
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, width, 3, stem_stride, 1, bias=False),
            nn.BatchNorm2d(width),
            make_activation(activation),
        )
        blocks = []
        channels = width
        for stage in range(n_blocks):
            out = width * 2**stage
            for i in range(blocks_per_stage):
                stride = 2 if stage > 0 and i == 0 else 1
                blocks.append(_ResidualBlock(channels, out, stride, activation))
                channels = out
        self.features = nn.Sequential(*blocks)
        self.n_features = channels
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(channels, n_outputs)

    def embed(self, x):
        """Pooled features of images ``x`` (averaged over views if rotation-pooled).

        Parameters
        ----------
        x : torch.Tensor of shape (n, in_channels, height, width)
            Images.

        Returns
        -------
        features : torch.Tensor of shape (n, n_features)
            The globally pooled output of the last stage.
        """
        if not self.rotation_pooling:
            return self._pooled(x)
        views = dihedral_views(x)
        pooled = self._pooled(torch.cat(views))
        return pooled.view(len(views), len(x), -1).mean(dim=0)

    def blocks(self):
        """Return the trainable units in order: the stem, then each residual block.

        Returns
        -------
        blocks : list of nn.Module
            What ``freeze=k`` of the CNN estimators counts from the end.
        """
        return [self.stem, *self.features]

    def _pooled(self, x):
        return torch.flatten(F.adaptive_avg_pool2d(self.features(self.stem(x)), 1), 1)

    def forward(self, x):
        """Return the raw scores (one per output) of a batch of images.

        Parameters
        ----------
        x : torch.Tensor of shape (n, in_channels, height, width)
            Images.

        Returns
        -------
        scores : torch.Tensor of shape (n, n_outputs)
            One score per output, before the estimator's head (sigmoid,
            softmax or the Galaxy Zoo tree).
        """
        return self.head(self.dropout(self.embed(x)))


class RotationInvariantResNet(ResNet):
    """:class:`ResNet` with ``rotation_pooling=True``: invariant to the eight views.

    The features of each image's eight rotations and flips (four for rectangular
    images) are averaged before the head, so an image and its quarter turn or
    mirror image get the same output. Eight times the cost of :class:`ResNet`.

    Parameters
    ----------
    in_channels : int, default=1
        Image channels.
    n_outputs : int, default=1
        Output scores.
    image_size : int or tuple of (int, int) or None, default=None
        ``(height, width)`` of the images.
    n_blocks : int, default=3
        Residual stages.
    width : int, default=32
        Filters of the first stage.
    blocks_per_stage : int, default=1
        Residual blocks in each stage.
    stem_stride : int, default=2
        Stride of the stem convolution.
    activation : str or type, default="relu"
        See :func:`make_activation`.
    dropout : float, default=0.0
        Dropout before the linear head.
    rotation_pooling : bool, default=True
        As in :class:`ResNet`.

    Examples
    --------
    >>> import torch
    >>> from skgalaxy.neural_network import RotationInvariantResNet
    >>> net = RotationInvariantResNet(in_channels=1, n_outputs=2).eval()
    >>> x = torch.rand(1, 1, 32, 32)
    >>> torch.allclose(net(x), net(torch.rot90(x, 1, (-2, -1))), atol=1e-5)
    True
    """

    def __init__(
        self,
        in_channels=1,
        n_outputs=1,
        image_size=None,
        n_blocks=3,
        width=32,
        blocks_per_stage=1,
        stem_stride=2,
        activation="relu",
        dropout=0.0,
        rotation_pooling=True,
    ):
        super().__init__(
            in_channels=in_channels,
            n_outputs=n_outputs,
            image_size=image_size,
            n_blocks=n_blocks,
            width=width,
            blocks_per_stage=blocks_per_stage,
            stem_stride=stem_stride,
            activation=activation,
            dropout=dropout,
            rotation_pooling=rotation_pooling,
        )


class GalaxyZooNet(nn.Module):
    """The six-convolution Kaggle Galaxy Zoo network of Hildebrandt's report, exactly.

    Six blocks convolution -> activation -> batch norm -> max-pooling with filters
    32, 32, 64, 64, 128, 256, kernels 7, 7, 5, 5, 3, 3 and pools 2, 2, 2, 2, 1, 1;
    dropout 0.05, flatten, dense 512 and 256 (dropout 0.15 each) and ``n_outputs``
    scores (the estimator adds the report's sigmoid). At 150x150x1 with 37 outputs
    it has 848,133 trainable parameters, as in the report [1]_.

    Parameters
    ----------
    in_channels : int, default=1
        Image channels.
    n_outputs : int, default=37
        Output scores.
    image_size : int or tuple of (int, int), default=(150, 150)
        ``(height, width)``; at least 146 pixels each (the valid convolutions and
        pools shrink 146 to 1).
    activation : str or type, default="relu"
        Activation of the convolutions and dense layers.
    dropout : tuple of 3 floats, default=(0.05, 0.15, 0.15)
        Dropout after the convolutions and after each dense layer.

    References
    ----------
    .. [1] P. Hildebrandt, "Galaxy morphology classification with Convolutional
       Neural Networks", course project report for PH0101 (Kaggle Galaxy Zoo
       challenge data).

    Examples
    --------
    >>> from skgalaxy.neural_network import GalaxyZooNet
    >>> net = GalaxyZooNet(image_size=(150, 150))
    >>> sum(p.numel() for p in net.parameters())
    848133
    """

    min_size = 146

    def __init__(
        self,
        in_channels=1,
        n_outputs=37,
        image_size=(150, 150),
        activation="relu",
        dropout=(0.05, 0.15, 0.15),
    ):
        super().__init__()
        image_size = _pair(image_size)
        if min(image_size) < self.min_size:
            raise _too_small(image_size, self.min_size, "GalaxyZooNet")
        spec = [
            (32, 7, 2),
            (32, 7, 2),
            (64, 5, 2),
            (64, 5, 2),
            (128, 3, 1),
            (256, 3, 1),
        ]
        layers = []
        channels = in_channels
        h, w = image_size
        for out, k, pool in spec:
            layers += [
                nn.Conv2d(channels, out, k),
                make_activation(activation),
                nn.BatchNorm2d(out),
            ]
            if pool > 1:
                layers.append(nn.MaxPool2d(pool))
            h, w = _conv_out(h, k) // pool, _conv_out(w, k) // pool
            channels = out
        layers.append(nn.Dropout(dropout[0]))
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(
            nn.Flatten(),
            nn.Linear(channels * h * w, 512),
            make_activation(activation),
            nn.Dropout(dropout[1]),
            nn.Linear(512, 256),
            make_activation(activation),
            nn.Dropout(dropout[2]),
            nn.Linear(256, n_outputs),
        )

    def forward(self, x):
        """Return the raw scores (one per output) of a batch of images.

        Parameters
        ----------
        x : torch.Tensor of shape (n, in_channels, height, width)
            Images.

        Returns
        -------
        scores : torch.Tensor of shape (n, n_outputs)
            One score per output, before the estimator's head (sigmoid,
            softmax or the Galaxy Zoo tree).
        """
        return self.head(self.features(x))


class AlexNetLike(nn.Module):
    """An AlexNet-like classifier with ``n_extra_conv`` extra convolutions.

    conv 11x11/4 (96) -> pool 3/2 -> conv 5x5 (256) -> pool 3/2, then
    ``n_extra_conv`` 3x3 convolutions (384 filters, the last one 256, as AlexNet's
    conv3-conv5) followed by one more pooling when there is at least one; flatten,
    dense 1024 and 512 (ReLU) and ``n_outputs`` scores. Convolutions are "same"
    padded as in the Keras model of the course assignment [1]_ that compared them
    (60x60 -> 15 -> 8 -> 4 -> 2).

    Parameters
    ----------
    in_channels : int, default=1
        Image channels.
    n_outputs : int, default=5
        Classes (five: the plurality classes of the Galaxy Zoo votes).
    image_size : int or tuple of (int, int), default=(60, 60)
        ``(height, width)`` of the images.
    n_extra_conv : int, default=0
        Extra convolutions after the first two conv/pool pairs; the assignment
        compared 0, 1 and 3.
    activation : str or type, default="relu"
        Activation of the convolutions (the assignment compared four); the dense layers
        use ReLU.
    hidden_units : tuple of int, default=(1024, 512)
        Dense layer sizes.
    filters : tuple of 4 ints, default=(96, 256, 384, 256)
        Filters of the first and second convolutions, of the extra convolutions
        and of the last extra convolution (AlexNet's widths); smaller values give a
        narrower network that trains faster on a CPU.

    References
    ----------
    .. [1] "Neural Networks: Assignment 2", course assignment, spring semester 2019
       (AlexNet-like galaxy classifiers on Galaxy Zoo images).

    Examples
    --------
    >>> import torch
    >>> from skgalaxy.neural_network import AlexNetLike
    >>> net = AlexNetLike(image_size=(60, 60), n_extra_conv=3, activation="tanh")
    >>> net(torch.zeros(2, 1, 60, 60)).shape
    torch.Size([2, 5])
    """

    def __init__(
        self,
        in_channels=1,
        n_outputs=5,
        image_size=(60, 60),
        n_extra_conv=0,
        activation="relu",
        hidden_units=(1024, 512),
        filters=(96, 256, 384, 256),
    ):
        super().__init__()
        f1, f2, f_extra, f_last = (int(f) for f in filters)
        check_scalar(n_extra_conv, "n_extra_conv", numbers.Integral, min_val=0)
        h, w = _pair(image_size)

        def pool_out(n):
            return _conv_out(n, 3, 2, 1)

        layers = [
            nn.Conv2d(in_channels, f1, 11, stride=4, padding=5),
            make_activation(activation),
            nn.MaxPool2d(3, stride=2, padding=1),
            nn.Conv2d(f1, f2, 5, padding=2),
            make_activation(activation),
            nn.MaxPool2d(3, stride=2, padding=1),
        ]
        h, w = (
            pool_out(pool_out(_conv_out(h, 11, 4, 5))),
            pool_out(pool_out(_conv_out(w, 11, 4, 5))),
        )
        channels = f2
        extra = [f_extra] * (n_extra_conv - 1) + [f_last] if n_extra_conv else []
        for out in extra:
            layers += [
                nn.Conv2d(channels, out, 3, padding=1),
                make_activation(activation),
            ]
            channels = out
        if extra:
            layers.append(nn.MaxPool2d(3, stride=2, padding=1))
            h, w = pool_out(h), pool_out(w)
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(
            nn.Flatten(), _dense_head(channels * h * w, hidden_units, n_outputs, 0.0)
        )

    def forward(self, x):
        """Return the raw scores (one per output) of a batch of images.

        Parameters
        ----------
        x : torch.Tensor of shape (n, in_channels, height, width)
            Images.

        Returns
        -------
        scores : torch.Tensor of shape (n, n_outputs)
            One score per output, before the estimator's head (sigmoid,
            softmax or the Galaxy Zoo tree).
        """
        return self.head(self.features(x))


# torchvision's VGG16 "D" configuration; "M" is a 2x2 max-pooling.
_VGG16_CFG = (1, 1, "M", 2, 2, "M", 4, 4, 4, "M", 8, 8, 8, "M", 8, 8, 8, "M")
_IMAGENET_MEAN = (0.485, 0.456, 0.406)
_IMAGENET_STD = (0.229, 0.224, 0.225)


class VGG16Net(nn.Module):
    """A VGG16 backbone with a dense head, loadable from torchvision weights.

    ``features`` has exactly torchvision's ``vgg16().features`` layout (13 3x3
    convolutions with ReLU, five max-pools), so the keys ``features.0.weight`` ...
    ``features.28.bias`` of a torchvision VGG16 state dict load into it; the head
    is Miller's [1]_: flatten, dense 1024, dropout 0.5, dense 1024, ``n_outputs``.

    Parameters
    ----------
    in_channels : int, default=3
        Image channels. Gray images (1 channel) are repeated to three channels when
        pretrained ``weights`` are given.
    n_outputs : int, default=37
        Output scores.
    image_size : int or tuple of (int, int), default=(212, 212)
        ``(height, width)``; at least 32 pixels (five 2x2 pools).
    base_filters : int, default=64
        Filters of the first block (64 in VGG16; the others are 2x, 4x, 8x). Smaller
        values give a small VGG-style network that trains on a CPU.
    hidden_units : tuple of int, default=(1024, 1024)
        Dense layer sizes of the head.
    dropout : float, default=0.5
        Dropout after the first dense layer.
    weights : str or path-like or None, default=None
        A local file holding a torchvision-format VGG16 state dict (saved with
        ``torch.save``, e.g. ``torchvision.models.vgg16(weights="DEFAULT")
        .state_dict()``); its ``features.*`` entries are loaded, the rest ignored.
    normalize : {"imagenet"} or None, default=None
        Standardise inputs with the ImageNet mean and std, as pretrained VGG16
        weights expect.
    batch_norm : bool, default=False
        Batch normalisation after each convolution, in torchvision's
        ``vgg16_bn`` layout (so ``vgg16_bn`` weights load instead of ``vgg16``'s).
        Narrow networks trained from scratch need it: without it most of their
        few filters go dead on the all-positive galaxy images.

    References
    ----------
    .. [1] W. Miller, "Naming the Stars: Using a Convoluted Neural Network to
       Classify Galaxy Images", William Miller's Projects (project page).
    .. [2] K. Simonyan and A. Zisserman, "Very Deep Convolutional Networks for
       Large-Scale Image Recognition", ICLR 2015. https://arxiv.org/abs/1409.1556

    Examples
    --------
    >>> import torch
    >>> from skgalaxy.neural_network import VGG16Net
    >>> net = VGG16Net(in_channels=1, n_outputs=2, image_size=32, base_filters=4)
    >>> net(torch.zeros(1, 1, 32, 32)).shape
    torch.Size([1, 2])
    """

    min_size = 32

    def __init__(
        self,
        in_channels=3,
        n_outputs=37,
        image_size=(212, 212),
        base_filters=64,
        hidden_units=(1024, 1024),
        dropout=0.5,
        weights=None,
        normalize=None,
        batch_norm=False,
    ):
        super().__init__()
        image_size = _pair(image_size)
        if min(image_size) < self.min_size:
            raise _too_small(image_size, self.min_size, "VGG16")
        if normalize not in (None, "imagenet"):
            raise ValueError(
                f"normalize must be None or 'imagenet', got {normalize!r}."
            )
        if weights is not None and in_channels not in (1, 3):
            raise ValueError(
                "Pretrained VGG16 weights take 3-channel (RGB) or 1-channel (gray) "
                f"images; got in_channels={in_channels}."
            )
        self.repeat_gray = weights is not None and in_channels == 1
        channels = 3 if self.repeat_gray else in_channels
        layers = []
        for v in _VGG16_CFG:
            if v == "M":
                layers.append(nn.MaxPool2d(2))
            else:
                out = v * base_filters
                layers.append(nn.Conv2d(channels, out, 3, padding=1))
                if batch_norm:
                    layers.append(nn.BatchNorm2d(out))
                layers.append(nn.ReLU(inplace=True))
                channels = out
        self.features = nn.Sequential(*layers)
        h, w = (s // 32 for s in image_size)
        units = list(hidden_units)
        head = [nn.Flatten()]
        in_features = channels * h * w
        for i, u in enumerate(units):
            head += [nn.Linear(in_features, u), nn.ReLU(inplace=True)]
            if i == 0 and dropout:
                head.append(nn.Dropout(dropout))
            in_features = u
        head.append(nn.Linear(in_features, n_outputs))
        self.head = nn.Sequential(*head)
        n_norm = 3 if (self.repeat_gray or in_channels == 3) else in_channels
        mean = torch.tensor(_IMAGENET_MEAN if n_norm == 3 else [0.449] * n_norm)
        std = torch.tensor(_IMAGENET_STD if n_norm == 3 else [0.226] * n_norm)
        self.normalize = normalize
        self.register_buffer("mean", mean.view(1, -1, 1, 1), persistent=False)
        self.register_buffer("std", std.view(1, -1, 1, 1), persistent=False)
        # torchvision's VGG initialisation: without it the 13 plain convolutions
        # barely pass a signal and a network trained from scratch stays put
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.zeros_(m.bias)
        if weights is not None:
            self.load_torchvision_features(weights)

    def load_torchvision_features(self, path):
        """Load the ``features.*`` tensors of a torchvision VGG16 state dict file.

        Parameters
        ----------
        path : str or path-like
            File written by ``torch.save(vgg16.state_dict(), path)``.

        Returns
        -------
        self : VGG16Net
            The network, its convolutions loaded.
        """
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"VGG16 weights file {str(path)!r} does not exist.")
        state = torch.load(path, map_location="cpu", weights_only=True)
        if not isinstance(state, dict):
            raise ValueError(f"{path} does not hold a state dict (got {type(state)}).")
        own = self.features.state_dict()
        missing = [f"features.{k}" for k in own if f"features.{k}" not in state]
        if missing:
            raise ValueError(
                f"{path} is not a torchvision VGG16 state dict: missing "
                f"{missing[:4]}{' ...' if len(missing) > 4 else ''}."
            )
        new = {k: state[f"features.{k}"] for k in own}
        for k, v in new.items():
            if tuple(v.shape) != tuple(own[k].shape):
                raise ValueError(
                    f"features.{k} has shape {tuple(v.shape)} in {path} but "
                    f"{tuple(own[k].shape)} here; torchvision's VGG16 has "
                    "base_filters=64 and 3 input channels."
                )
        self.features.load_state_dict(new)
        return self

    def forward(self, x):
        """Return the raw scores (one per output) of a batch of images.

        Parameters
        ----------
        x : torch.Tensor of shape (n, in_channels, height, width)
            Images.

        Returns
        -------
        scores : torch.Tensor of shape (n, n_outputs)
            One score per output, before the estimator's head (sigmoid,
            softmax or the Galaxy Zoo tree).
        """
        if self.repeat_gray:
            x = x.expand(-1, 3, -1, -1)
        if self.normalize == "imagenet":
            x = (x - self.mean) / self.std
        return self.head(self.features(x))


#: Preset names accepted by the CNN estimators' ``module`` parameter.
PRESETS = {
    "resnet": ResNet,
    "rotation_invariant_resnet": RotationInvariantResNet,
    "convnet": ConvNet,
    "galaxyzoo": GalaxyZooNet,
    "alexnet_like": AlexNetLike,
    "vgg16": VGG16Net,
}
