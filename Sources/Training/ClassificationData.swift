// ClassificationData.swift — the classification datasets as chapters 3–5 train on them.
//
// MNIST digits are resized from 28×28 to 32×32 once, up front (bilinear, as the reference's
// `transforms.Resize`). CIFAR images are normalised with the CIFAR-10 training statistics and,
// while training, randomly cropped (4-pixel padding) and flipped. The training files are split
// 80/20 into training and validation parts with a seeded shuffle.

import Datasets

/// The three splits of one classification dataset, with the transforms that go with them.
public struct ClassificationData: Sendable {
    public var train: ImageDataset, validation: ImageDataset, test: ImageDataset
    /// Per-image transform while training (augmentation) and for validation and test (deterministic).
    public var trainTransform: ImageTransform, evaluationTransform: ImageTransform
    public var classes: Int, channels: Int
    /// Which files the splits come from, for the pages ("CIFAR-10 data_batch_1 only …").
    public var files: String

    /// The dataset names `load` knows.
    public static let names = ["mnist", "cifar10", "cifar100"]

    /// Loads `name` ("mnist", "cifar10" or "cifar100") from `location` and splits its training files.
    /// - Throws: `DatasetError` naming the missing or damaged files (`.unsupported` for another name).
    public static func load(_ name: String, from location: DataLocation, validationSeed: UInt64) throws -> ClassificationData {
        switch name {
        case "mnist":
            let resize = ImageTransform.mnistLeNet.geometry
            let train = try MNIST.load(split: .train, from: location).applyingGeometry(resize)
            let test = try MNIST.load(split: .test, from: location).applyingGeometry(resize)
            let split = train.validationSplit(fraction: 0.2, seed: validationSeed)
            return ClassificationData(train: split.train, validation: split.validation, test: test,
                                      trainTransform: ImageTransform(), evaluationTransform: ImageTransform(),
                                      classes: 10, channels: 1, files: "MNIST train (60,000) + t10k (10,000)")
        case "cifar10":
            let train = try CIFAR10.load(split: .train, from: location, allowPartial: true)
            let test = try CIFAR10.load(split: .test, from: location)
            let split = train.validationSplit(fraction: 0.2, seed: validationSeed)
            let batches = train.count / 10000
            return ClassificationData(train: split.train, validation: split.validation, test: test,
                                      trainTransform: .cifarAugmented(normalized: true),
                                      evaluationTransform: ImageTransform(normalization: .cifar10), classes: 10, channels: 3,
                                      files: batches == 5 ? "CIFAR-10 data_batch_1–5 (50,000) + test_batch"
                                          : "CIFAR-10 data_batch_1 only (\(train.count) of 50,000 training images) + test_batch")
        case "cifar100":
            let train = try CIFAR100.load(split: .train, from: location)
            let test = try CIFAR100.load(split: .test, from: location)
            let split = train.validationSplit(fraction: 0.2, seed: validationSeed)
            return ClassificationData(train: split.train, validation: split.validation, test: test,
                                      trainTransform: .cifarAugmented(normalized: true),
                                      evaluationTransform: ImageTransform(normalization: .cifar10), classes: 100, channels: 3,
                                      files: "CIFAR-100 train.bin (50,000) + test.bin")
        default:
            throw DatasetError.unsupported(dataset: name, detail: "unknown dataset: use \(names.joined(separator: ", "))")
        }
    }
}
