#!/usr/bin/env python3
"""PyTorch CPU reference for `make bench-compare`.

The same three frequentist networks as the Swift suite (Sources/Models), with ReLU, trained
one step at a time exactly as `bench` does it: batch 256, forward, cross-entropy, backward,
Adam step. Prints images/s per model and, given the Swift bench's bench.json, the ratios.

Install a CPU-only torch first:
    pip install --no-index --find-links "$(pip config get global.find-links)" torch
"""
import argparse
import json
import os
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    sys.exit("bench/pytorch_reference.py: torch is not installed; install the CPU wheel with\n"
             "  pip install --no-index --find-links \"$(pip config get global.find-links)\" torch")


class LeNet5(nn.Module):
    def __init__(self, classes=10, channels=1):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.flatten(1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


class AlexNet(nn.Module):
    def __init__(self, classes=10, channels=3):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, 64, 11, stride=4, padding=5)
        self.conv2 = nn.Conv2d(64, 192, 5, padding=2)
        self.conv3 = nn.Conv2d(192, 384, 3, padding=1)
        self.conv4 = nn.Conv2d(384, 256, 3, padding=1)
        self.conv5 = nn.Conv2d(256, 128, 3, padding=1)
        self.classifier = nn.Linear(128, classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.conv4(F.relu(self.conv3(x))))
        x = F.max_pool2d(F.relu(self.conv5(x)), 2)
        return self.classifier(x.flatten(1))


class ThreeConvThreeFC(nn.Module):
    def __init__(self, classes=10, channels=3):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, 32, 5, padding=2)
        self.conv2 = nn.Conv2d(32, 64, 5, padding=2)
        self.conv3 = nn.Conv2d(64, 128, 5, padding=1)
        self.fc1 = nn.Linear(512, 1000)
        self.fc2 = nn.Linear(1000, 1000)
        self.fc3 = nn.Linear(1000, classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 3, 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 3, 2)
        x = F.max_pool2d(F.relu(self.conv3(x)), 3, 2)
        x = x.flatten(1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


MODELS = {"lenet5": (LeNet5, 1), "alexnet": (AlexNet, 3), "3conv3fc": (ThreeConvThreeFC, 3)}


def images_per_second(name, batch, seconds):
    make, channels = MODELS[name]
    model = make(10, channels)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(batch, channels, 32, 32)
    y = torch.randint(0, 10, (batch,))

    def step():
        optimizer.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        optimizer.step()

    for _ in range(3):
        step()
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds or steps < 3:
        step()
        steps += 1
    return steps * batch / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--seconds", type=float, default=3.0, help="timing window per model")
    parser.add_argument("--compare", metavar="bench.json", help="the Swift bench's results, printed side by side")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    swift = {}
    if args.compare:
        try:
            with open(args.compare) as f:
                swift = json.load(f).get("train_step", {})
        except (OSError, ValueError) as error:
            sys.exit(f"cannot read {args.compare}: {error}; run `make bench` first")
    print(f"PyTorch {torch.__version__}, {args.threads} threads, batch {args.batch}: frequentist training step (ReLU, Adam)")
    print(f"{'model':<10} {'PyTorch img/s':>14} {'Swift img/s':>12} {'Swift/PyTorch':>14}")
    for name in MODELS:
        torch_rate = images_per_second(name, args.batch, args.seconds)
        swift_rate = swift.get(name, {}).get("images_per_second")
        ratio = f"{swift_rate / torch_rate:14.2f}" if swift_rate else f"{'—':>14}"
        swift_text = f"{swift_rate:12.0f}" if swift_rate else f"{'—':>12}"
        print(f"{name:<10} {torch_rate:14.0f} {swift_text} {ratio}")


if __name__ == "__main__":
    main()
