// IDX.swift — the IDX format of MNIST, Fashion-MNIST and notMNIST (gzipped or plain).
//
// Layout (big-endian): magic 0x0000_08DD where 08 = unsigned bytes and DD = number of
// dimensions, then DD 32-bit sizes, then the values row-major. Images are 0x803 (N×H×W),
// labels 0x801 (N). Every size is checked against the bytes present, and images against labels.

import Foundation

/// A parsed unsigned-byte IDX array.
public struct IDXArray: Sendable, Equatable {
    /// Sizes of each dimension, outermost first.
    public let dimensions: [Int]
    /// The values, row-major.
    public let values: [UInt8]
}

/// Parses unsigned-byte IDX data with `expectedRank` dimensions.
/// - Parameter name: the file name used in error messages.
public func parseIDX(_ bytes: [UInt8], expectedRank: Int, name: String) throws -> IDXArray {
    func bigEndian32(at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }
    let headerSize = 4 + 4 * expectedRank
    guard bytes.count >= 4 else { throw DatasetError.truncated(file: name, expectedBytes: headerSize, actualBytes: bytes.count) }
    let expectedMagic = UInt32(0x0800 + expectedRank)
    let magic = bigEndian32(at: 0)
    guard magic == expectedMagic else { throw DatasetError.wrongMagic(file: name, expected: expectedMagic, actual: magic) }
    guard bytes.count >= headerSize else {
        throw DatasetError.truncated(file: name, expectedBytes: headerSize, actualBytes: bytes.count)
    }
    let dimensions = (0..<expectedRank).map { Int(bigEndian32(at: 4 + 4 * $0)) }
    let valueCount = dimensions.reduce(1, *)
    let expectedSize = headerSize + valueCount
    if bytes.count < expectedSize {
        throw DatasetError.truncated(file: name, expectedBytes: expectedSize, actualBytes: bytes.count)
    }
    if bytes.count > expectedSize {
        throw DatasetError.dimensionMismatch(file: name, detail: "header says \(dimensions) (\(expectedSize) bytes) "
                                             + "but the file has \(bytes.count) bytes")
    }
    return IDXArray(dimensions: dimensions, values: Array(bytes[headerSize...]))
}

/// Builds an image dataset from IDX images (N×H×W) and labels (N), checking they agree.
func imageDataset(name: String, imagesFile: String, images: IDXArray, labelsFile: String, labels: IDXArray,
                  classNames: [String]) throws -> ImageDataset {
    let count = images.dimensions[0]
    guard labels.dimensions[0] == count else {
        throw DatasetError.dimensionMismatch(file: labelsFile, detail: "\(labels.dimensions[0]) labels for "
                                             + "\(count) images in \(imagesFile)")
    }
    if let bad = labels.values.first(where: { Int($0) >= classNames.count }) {
        throw DatasetError.dimensionMismatch(file: labelsFile, detail: "label \(bad) outside 0..<\(classNames.count)")
    }
    return ImageDataset(name: name, channels: 1, height: images.dimensions[1], width: images.dimensions[2],
                        pixels: images.values, labels: labels.values.map(Int.init), classNames: classNames)
}

/// A train or test split.
public enum DatasetSplit: String, Sendable, CaseIterable {
    case train, test
}

/// Loads one split of an MNIST-format dataset from `location`, verifying checksums.
func loadIDXDataset(_ id: DatasetID, split: DatasetSplit, from location: DataLocation,
                    classNames: [String]) throws -> ImageDataset {
    let prefix = split == .train ? "train" : "t10k"
    let names = ["\(prefix)-images-idx3-ubyte", "\(prefix)-labels-idx1-ubyte"]
    let (_, files) = try location.locate(names, of: id)
    let images = try parseIDX(location.readVerified(files[0], as: names[0], of: id), expectedRank: 3, name: files[0].path)
    let labels = try parseIDX(location.readVerified(files[1], as: names[1], of: id), expectedRank: 1, name: files[1].path)
    return try imageDataset(name: "\(DatasetRegistry.description(of: id).name) \(split.rawValue)",
                            imagesFile: files[0].path, images: images, labelsFile: files[1].path, labels: labels,
                            classNames: classNames)
}

/// MNIST handwritten digits: 60,000 train and 10,000 test images, 1×28×28, labels 0–9.
public enum MNIST {
    /// Class names "0" … "9".
    public static let classNames = (0..<10).map(String.init)
    /// Loads a split from `location` (`mnist/` folder), verifying each file's SHA-256.
    public static func load(split: DatasetSplit, from location: DataLocation) throws -> ImageDataset {
        try loadIDXDataset(.mnist, split: split, from: location, classNames: classNames)
    }
}

/// Fashion-MNIST: Zalando's article images, same format and sizes as MNIST.
/// Looked up in `fashion-mnist/` of the data directory, then in /usr/share/datasets/fashion-mnist.
public enum FashionMNIST {
    public static let classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                                    "Sneaker", "Bag", "Ankle boot"]
    /// Loads a split, verifying each file's SHA-256.
    public static func load(split: DatasetSplit, from location: DataLocation) throws -> ImageDataset {
        try loadIDXDataset(.fashionMNIST, split: split, from: location, classNames: classNames)
    }
}

/// notMNIST: letters A–J in many fonts, 28×28; here a 10,000-image test set only (the
/// out-of-distribution set of the uncertainty chapter).
public enum NotMNIST {
    public static let classNames = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"]
    /// Loads the test split (the only one stored); `.train` throws `unsupported`.
    public static func load(split: DatasetSplit = .test, from location: DataLocation) throws -> ImageDataset {
        guard split == .test else {
            throw DatasetError.unsupported(dataset: "notMNIST", detail: "only a 10,000-image test split exists")
        }
        return try loadIDXDataset(.notMNIST, split: .test, from: location, classNames: classNames)
    }
}
