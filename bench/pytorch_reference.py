#!/usr/bin/env python3
"""PyTorch CPU reference for `make bench-compare`.

The same three networks as the Swift suite (Sources/Models), trained one step at a time exactly
as `bench` does it: batch 256, forward, loss, backward, Adam step. Frequentist nets use ReLU and
cross-entropy; Bayesian nets use softplus and the ELBO (cross-entropy + β·KL/N, closed-form KL to
the prior N(0, 0.1²)), with layers written here from the paper's equations:
  BBB     W = μ + σ ⊙ ε, one weight sample per minibatch, then the ordinary map;
  LRT     m = A(x; μ) + μ_b, v = A(x²; σ²) + σ_b², out = m + √(v + 1e-16) ⊙ ε;
  Flipout out = A(x; μ) + b + A(x ⊙ s; σ ⊙ E) ⊙ r with random signs s, r per example.
Also Monte Carlo prediction: 10 forward passes of the LRT net without gradient, softmax averaged.
Prints images/s per model and, given the Swift bench's bench.json, the ratios.

Install torch first: `pip install torch` (PyPI's build runs on the CPU when there is no GPU), or a
CPU-only wheel from a local mirror:
    pip install --no-index --find-links "$(pip config get global.find-links)" torch
"""
import argparse
import json
import math
import os
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    sys.exit("bench/pytorch_reference.py: torch is not installed; install it with `pip install torch`\n"
             "(or a CPU wheel from a local mirror: pip install --no-index --find-links DIR torch)")

PRIOR_SIGMA = 0.1


class BayesLayer(nn.Module):
    """A Gaussian posterior N(μ, softplus(ρ)²) over an affine map's weight and bias."""

    def __init__(self, weight_shape, out_features, estimator):
        super().__init__()
        self.estimator = estimator
        self.weight_mu = nn.Parameter(torch.randn(weight_shape) * 0.1)
        self.weight_rho = nn.Parameter(torch.randn(weight_shape) * 0.1 - 5)
        self.bias_mu = nn.Parameter(torch.randn(out_features) * 0.1)
        self.bias_rho = nn.Parameter(torch.randn(out_features) * 0.1 - 5)

    def affine(self, x, weight, bias):
        raise NotImplementedError

    def forward(self, x):
        weight_sigma, bias_sigma = F.softplus(self.weight_rho), F.softplus(self.bias_rho)
        if self.estimator == "bbb":
            weight = self.weight_mu + weight_sigma * torch.randn_like(weight_sigma)
            bias = self.bias_mu + bias_sigma * torch.randn_like(bias_sigma)
            return self.affine(x, weight, bias)
        if self.estimator == "lrt":
            mean = self.affine(x, self.weight_mu, self.bias_mu)
            variance = self.affine(x * x, weight_sigma * weight_sigma, bias_sigma * bias_sigma)
            return mean + torch.sqrt(variance + 1e-16) * torch.randn_like(mean)
        # Flipout
        bias = self.bias_mu + bias_sigma * torch.randn_like(bias_sigma)
        mean = self.affine(x, self.weight_mu, bias)
        signs_in = torch.randint(0, 2, x.shape[:2] + (1,) * (x.dim() - 2), dtype=x.dtype) * 2 - 1
        perturbed = self.affine(x * signs_in, weight_sigma * torch.randn_like(weight_sigma), None)
        signs_out = torch.randint(0, 2, perturbed.shape[:2] + (1,) * (perturbed.dim() - 2), dtype=x.dtype) * 2 - 1
        return mean + perturbed * signs_out

    def kl(self):
        """Closed-form KL(N(μ, σ²) ‖ N(0, s²)) summed over weight and bias."""
        total = 0
        for mu, rho in ((self.weight_mu, self.weight_rho), (self.bias_mu, self.bias_rho)):
            sigma = F.softplus(rho)
            total = total + (math.log(PRIOR_SIGMA) - torch.log(sigma)
                             + (sigma ** 2 + mu ** 2) / (2 * PRIOR_SIGMA ** 2) - 0.5).sum()
        return total


class BayesConv2d(BayesLayer):
    def __init__(self, channels, out_channels, kernel, stride=1, padding=0, estimator="lrt"):
        super().__init__((out_channels, channels, kernel, kernel), out_channels, estimator)
        self.stride, self.padding = stride, padding

    def affine(self, x, weight, bias):
        return F.conv2d(x, weight, bias, self.stride, self.padding)


class BayesLinear(BayesLayer):
    def __init__(self, features, out_features, estimator="lrt"):
        super().__init__((out_features, features), out_features, estimator)

    def affine(self, x, weight, bias):
        return F.linear(x, weight, bias)


class Layers:
    """Makes a network's layers and activation: frequentist (ReLU) or Bayesian with an estimator (softplus)."""

    def __init__(self, kind):
        self.kind = kind
        self.activation = F.relu if kind == "frequentist" else F.softplus

    def conv(self, channels, out_channels, kernel, stride=1, padding=0):
        if self.kind == "frequentist":
            return nn.Conv2d(channels, out_channels, kernel, stride, padding)
        return BayesConv2d(channels, out_channels, kernel, stride, padding, self.kind)

    def linear(self, features, out_features):
        if self.kind == "frequentist":
            return nn.Linear(features, out_features)
        return BayesLinear(features, out_features, self.kind)


class LeNet5(nn.Module):
    def __init__(self, layers, classes=10, channels=1):
        super().__init__()
        self.act = layers.activation
        self.conv1 = layers.conv(channels, 6, 5)
        self.conv2 = layers.conv(6, 16, 5)
        self.fc1 = layers.linear(400, 120)
        self.fc2 = layers.linear(120, 84)
        self.fc3 = layers.linear(84, classes)

    def forward(self, x):
        x = F.max_pool2d(self.act(self.conv1(x)), 2)
        x = F.max_pool2d(self.act(self.conv2(x)), 2)
        x = x.flatten(1)
        return self.fc3(self.act(self.fc2(self.act(self.fc1(x)))))


class AlexNet(nn.Module):
    def __init__(self, layers, classes=10, channels=3):
        super().__init__()
        self.act = layers.activation
        self.conv1 = layers.conv(channels, 64, 11, stride=4, padding=5)
        self.conv2 = layers.conv(64, 192, 5, padding=2)
        self.conv3 = layers.conv(192, 384, 3, padding=1)
        self.conv4 = layers.conv(384, 256, 3, padding=1)
        self.conv5 = layers.conv(256, 128, 3, padding=1)
        self.classifier = layers.linear(128, classes)

    def forward(self, x):
        x = F.max_pool2d(self.act(self.conv1(x)), 2)
        x = F.max_pool2d(self.act(self.conv2(x)), 2)
        x = self.act(self.conv4(self.act(self.conv3(x))))
        x = F.max_pool2d(self.act(self.conv5(x)), 2)
        return self.classifier(x.flatten(1))


class ThreeConvThreeFC(nn.Module):
    def __init__(self, layers, classes=10, channels=3):
        super().__init__()
        self.act = layers.activation
        self.conv1 = layers.conv(channels, 32, 5, padding=2)
        self.conv2 = layers.conv(32, 64, 5, padding=2)
        self.conv3 = layers.conv(64, 128, 5, padding=1)
        self.fc1 = layers.linear(512, 1000)
        self.fc2 = layers.linear(1000, 1000)
        self.fc3 = layers.linear(1000, classes)

    def forward(self, x):
        x = F.max_pool2d(self.act(self.conv1(x)), 3, 2)
        x = F.max_pool2d(self.act(self.conv2(x)), 3, 2)
        x = F.max_pool2d(self.act(self.conv3(x)), 3, 2)
        x = x.flatten(1)
        return self.fc3(self.act(self.fc2(self.act(self.fc1(x)))))


def kl(model):
    return sum(m.kl() for m in model.modules() if isinstance(m, BayesLayer))


MODELS = {"lenet5": (LeNet5, 1), "alexnet": (AlexNet, 3), "3conv3fc": (ThreeConvThreeFC, 3)}


KINDS = ["frequentist", "bbb", "lrt", "flipout"]


def timed(step, seconds):
    """Images/s-ready timing: calls per second of `step` after 3 warm-up calls."""
    for _ in range(3):
        step()
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds or steps < 3:
        step()
        steps += 1
    return steps / (time.perf_counter() - start)


def setup(name, kind, batch):
    make, channels = MODELS[name]
    model = make(Layers(kind), 10, channels)
    x = torch.randn(batch, channels, 32, 32)
    y = torch.randint(0, 10, (batch,))
    return model, x, y


def training_rate(name, kind, batch, seconds):
    model, x, y = setup(name, kind, batch)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        if kind != "frequentist":
            loss = loss + 0.1 * kl(model) / 50_000
        loss.backward()
        optimizer.step()

    return batch * timed(step, seconds)


def prediction_rate(name, batch, seconds, samples=10):
    model, x, _ = setup(name, "lrt", batch)

    def predict():
        with torch.no_grad():
            sum(F.softmax(model(x), dim=1) for _ in range(samples)) / samples

    return batch * timed(predict, seconds)


def ratio_text(swift_rate, torch_rate):
    return (f"{swift_rate:8.0f} {swift_rate / torch_rate:6.2f}×" if swift_rate else f"{'—':>8} {'':>7}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--seconds", type=float, default=3.0, help="timing window per model")
    parser.add_argument("--compare", metavar="bench.json", help="the Swift bench's results, printed side by side")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    # The Swift engine flushes subnormal floats to zero (squared tiny activations in the LRT
    # variance path make them); PyTorch does too when asked, which is the fair comparison.
    torch.set_flush_denormal(True)
    torch.manual_seed(0)
    swift = {}
    if args.compare:
        try:
            with open(args.compare) as f:
                swift = json.load(f)
        except (OSError, ValueError) as error:
            sys.exit(f"cannot read {args.compare}: {error}; run `make bench` first")
    print(f"PyTorch {torch.__version__}, {args.threads} threads, batch {args.batch}: training step images/s "
          "(frequentist: ReLU + cross-entropy; Bayesian: softplus + ELBO), Swift beside it and Swift/PyTorch")
    print(f"{'model':<10} {'kind':<12} {'PyTorch':>8} {'Swift':>8} {'ratio':>7}")
    for name in MODELS:
        for kind in KINDS:
            torch_rate = training_rate(name, kind, args.batch, args.seconds)
            if kind == "frequentist":
                swift_rate = swift.get("train_step", {}).get(name, {}).get("images_per_second")
            else:
                swift_rate = swift.get("train_step_bayesian", {}).get(name, {}).get(kind)
            print(f"{name:<10} {kind:<12} {torch_rate:8.0f} {ratio_text(swift_rate, torch_rate)}")
    print(f"\nMonte Carlo prediction, 10 samples, LRT, images/s")
    for name in ["lenet5", "alexnet"]:
        torch_rate = prediction_rate(name, args.batch, args.seconds)
        swift_rate = swift.get("predict_mc10", {}).get(name)
        print(f"{name:<10} {'predict':<12} {torch_rate:8.0f} {ratio_text(swift_rate, torch_rate)}")


if __name__ == "__main__":
    main()
