// Fixtures.swift — small dataset files made inside the tests, and where the real data lives.

import Datasets
import Foundation

/// A fresh temporary folder, removed by the caller with `removeTemporary`.
func temporaryFolder() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("datasets-tests-\(UUID().uuidString)", isDirectory: true)
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func removeTemporary(_ url: URL) { try? FileManager.default.removeItem(at: url) }

func write(_ bytes: [UInt8], to url: URL) {
    try! FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try! Data(bytes).write(to: url)
}

/// IDX bytes: magic 0x08XX, big-endian sizes, values.
func idxBytes(dimensions: [Int], values: [UInt8]) -> [UInt8] {
    func bigEndian(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 255), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)] }
    return [0, 0, 8, UInt8(dimensions.count)] + dimensions.flatMap(bigEndian) + values
}

/// A tiny MNIST-format pair: `count` images of height×width with pixel (n, y, x) = pixel(n, y, x).
func tinyIDX(count: Int, height: Int = 3, width: Int = 2) -> (images: [UInt8], labels: [UInt8], pixels: [UInt8], labelValues: [UInt8]) {
    var pixels = [UInt8]()
    for n in 0..<count { for y in 0..<height { for x in 0..<width { pixels.append(UInt8((n * 31 + y * 7 + x * 3) % 256)) } } }
    let labels = (0..<count).map { UInt8(($0 * 3) % 10) }
    return (idxBytes(dimensions: [count, height, width], values: pixels), idxBytes(dimensions: [count], values: labels),
            pixels, labels)
}

/// CIFAR records with `labelBytes` label bytes: record n has labels (n % 10, n % 7) and pixel i = (n + i) % 256.
func cifarRecords(count: Int, labelBytes: Int) -> [UInt8] {
    var bytes = [UInt8]()
    for n in 0..<count {
        bytes += labelBytes == 1 ? [UInt8(n % 10)] : [UInt8(n % 7), UInt8(n % 10)]
        bytes += (0..<3072).map { UInt8((n + $0) % 256) }
    }
    return bytes
}

/// An RGB test image with a smooth gradient (JPEG-friendly).
func gradientImage(width: Int, height: Int) -> RGBImage {
    var interleaved = [UInt8]()
    for y in 0..<height { for x in 0..<width {
        interleaved += [UInt8(x * 255 / max(width - 1, 1)), UInt8(y * 255 / max(height - 1, 1)), 128]
    } }
    return RGBImage(name: "gradient", width: width, height: height, interleaved: interleaved)
}

/// The real data directory: `$BAYES_DATA`, else ../shared/data next to the package root.
let sharedDataRoot: URL = {
    if let fromEnvironment = ProcessInfo.processInfo.environment["BAYES_DATA"], !fromEnvironment.isEmpty {
        return URL(fileURLWithPath: fromEnvironment)
    }
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return packageRoot.appendingPathComponent("../shared/data").standardizedFileURL
}()

let sharedData = DataLocation(root: sharedDataRoot)

/// Whether the real files of a dataset are present.
func realDataPresent(_ id: DatasetID, _ names: [String]) -> Bool {
    (try? sharedData.locate(names, of: id)) != nil
}

let mnistPresent = realDataPresent(.mnist, ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"])
let fashionPresent = realDataPresent(.fashionMNIST, ["train-images-idx3-ubyte", "t10k-images-idx3-ubyte"])
let notMNISTPresent = realDataPresent(.notMNIST, ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"])
let cifar10TestPresent = realDataPresent(.cifar10, ["test_batch.bin"])
let bsd300Present = realDataPresent(.bsd300, ["iids_train.txt", "iids_test.txt"])

/// Real MNIST, parsed once per test process.
let realMNISTTrain: Result<ImageDataset, any Error> = Result { try MNIST.load(split: .train, from: sharedData) }
let realMNISTTest: Result<ImageDataset, any Error> = Result { try MNIST.load(split: .test, from: sharedData) }
