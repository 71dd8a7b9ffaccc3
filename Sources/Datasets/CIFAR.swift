// CIFAR.swift — the binary versions of CIFAR-10 and CIFAR-100 (gzipped or plain).
//
// CIFAR-10 record: 1 label byte, then 3072 pixel bytes (1024 R, 1024 G, 1024 B, each 32×32
// row-major) — already the C×H×W layout the engine wants. CIFAR-100 record: a coarse label
// byte, a fine label byte, then the same 3072 bytes. A file must hold a whole number of
// records; with strict checking (the default) also exactly the registered number.

import Foundation

/// Parses CIFAR binary records: `labelBytes` label bytes then 3×32×32 pixels each.
/// - Returns: the pixels of every record (N×3×32×32) and the label bytes per record.
public func parseCIFARRecords(_ bytes: [UInt8], labelBytes: Int, name: String,
                              expectedRecords: Int? = nil) throws -> (pixels: [UInt8], labels: [[UInt8]]) {
    let recordSize = labelBytes + 3072
    let count = bytes.count / recordSize
    if bytes.count % recordSize != 0 {
        throw DatasetError.truncated(file: name, expectedBytes: (count + 1) * recordSize, actualBytes: bytes.count)
    }
    if let expectedRecords, count != expectedRecords {
        if count < expectedRecords {
            throw DatasetError.truncated(file: name, expectedBytes: expectedRecords * recordSize, actualBytes: bytes.count)
        }
        throw DatasetError.dimensionMismatch(file: name, detail: "\(count) records, expected \(expectedRecords)")
    }
    guard count > 0 else { throw DatasetError.truncated(file: name, expectedBytes: recordSize, actualBytes: bytes.count) }
    var pixels = [UInt8](repeating: 0, count: count * 3072)
    var labels = [[UInt8]]()
    labels.reserveCapacity(count)
    bytes.withUnsafeBufferPointer { source in
        pixels.withUnsafeMutableBufferPointer { target in
            for record in 0..<count {
                let start = record * recordSize
                labels.append(Array(source[start..<start + labelBytes]))
                (target.baseAddress! + record * 3072).update(from: source.baseAddress! + start + labelBytes, count: 3072)
            }
        }
    }
    return (pixels, labels)
}

/// Reads a label-name file: one name per line; blank lines are ignored. Exactly `count` names.
func readClassNames(_ url: URL, as name: String, of id: DatasetID, location: DataLocation, count: Int) throws -> [String] {
    let bytes = try location.readVerified(url, as: name, of: id)
    let names = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline)
        .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    guard names.count == count else {
        throw DatasetError.dimensionMismatch(file: url.path, detail: "\(names.count) class names, expected \(count)")
    }
    return names
}

/// CIFAR-10: 50,000 train (five batches of 10,000) and 10,000 test colour images, 3×32×32.
public enum CIFAR10 {
    /// The class names in label order (used when `batches.meta.txt` is absent).
    public static let classNames = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                                    "ship", "truck"]
    /// Per-channel mean and standard deviation of the full training set (../shared/data/README.md).
    public static let trainMean: [Float] = [0.4914, 0.4822, 0.4465]
    public static let trainStd: [Float] = [0.2470, 0.2435, 0.2616]
    /// The training batch files.
    public static let trainFiles = (1...5).map { "data_batch_\($0).bin" }

    /// Loads a split.
    /// - Parameter allowPartial: for `.train`, accept any non-empty subset of the five batches
    ///   (../shared/data holds batch 1 only); when false, all five are required.
    public static func load(split: DatasetSplit, from location: DataLocation,
                            allowPartial: Bool = false) throws -> ImageDataset {
        let id = DatasetID.cifar10
        var names = split == .train ? trainFiles : ["test_batch.bin"]
        if split == .train && allowPartial {
            let present = location.candidateFolders(for: id).lazy.map { folder in
                names.filter { DataLocation.existingFile($0, in: folder) != nil }
            }.first { !$0.isEmpty }
            names = present ?? [names[0]]  // none present: report batch 1 missing
        }
        let (folder, files) = try location.locate(names, of: id)
        var pixels = [UInt8](), labels = [Int]()
        for (name, url) in zip(names, files) {
            let bytes = try location.readVerified(url, as: name, of: id)
            let expected = location.allowUnknownFiles ? nil : DatasetRegistry.cifar10.file(name)?.size.map { $0 / 3073 }
            let records = try parseCIFARRecords(bytes, labelBytes: 1, name: url.path, expectedRecords: expected)
            if let bad = records.labels.first(where: { $0[0] >= 10 }) {
                throw DatasetError.dimensionMismatch(file: url.path, detail: "label \(bad[0]) outside 0..<10")
            }
            pixels += records.pixels
            labels += records.labels.map { Int($0[0]) }
        }
        var names10 = classNames
        if let meta = DataLocation.existingFile("batches.meta.txt", in: folder) {
            names10 = try readClassNames(meta, as: "batches.meta.txt", of: id, location: location, count: 10)
        }
        return ImageDataset(name: "CIFAR-10 \(split.rawValue)", channels: 3, height: 32, width: 32,
                            pixels: pixels, labels: labels, classNames: names10)
    }
}

/// CIFAR-100: 50,000 train and 10,000 test colour images, 3×32×32, with 100 fine and 20
/// coarse (superclass) labels.
public enum CIFAR100 {
    /// Which of the two labels a dataset carries.
    public enum LabelKind: Sendable { case fine, coarse }

    /// Loads a split with the chosen labels (`train.bin` / `test.bin` and the label-name files).
    public static func load(split: DatasetSplit, labels kind: LabelKind = .fine,
                            from location: DataLocation) throws -> ImageDataset {
        let id = DatasetID.cifar100
        let dataName = split == .train ? "train.bin" : "test.bin"
        let namesFile = kind == .fine ? "fine_label_names.txt" : "coarse_label_names.txt"
        let classCount = kind == .fine ? 100 : 20
        let (_, files) = try location.locate([dataName, namesFile], of: id)
        let classNames = try readClassNames(files[1], as: namesFile, of: id, location: location, count: classCount)
        let bytes = try location.readVerified(files[0], as: dataName, of: id)
        let expected = location.allowUnknownFiles ? nil : DatasetRegistry.cifar100.file(dataName)?.size.map { $0 / 3074 }
        let records = try parseCIFARRecords(bytes, labelBytes: 2, name: files[0].path, expectedRecords: expected)
        let labels = records.labels.map { Int(kind == .coarse ? $0[0] : $0[1]) }
        if let bad = labels.first(where: { $0 >= classCount }) {
            throw DatasetError.dimensionMismatch(file: files[0].path, detail: "label \(bad) outside 0..<\(classCount)")
        }
        return ImageDataset(name: "CIFAR-100 \(split.rawValue)", channels: 3, height: 32, width: 32,
                            pixels: records.pixels, labels: labels, classNames: classNames)
    }
}
