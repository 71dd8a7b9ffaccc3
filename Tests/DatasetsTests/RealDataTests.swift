// RealDataTests.swift — the real datasets when present (../shared/data or $BAYES_DATA, and the
// Debian Fashion-MNIST package): sizes, class counts, checksums, and corrupted copies refused.

import Datasets
import Foundation
import Testing

@Suite struct RealDataTests {
    @Test(.enabled(if: mnistPresent, "MNIST not found in \(sharedDataRoot.path) (set BAYES_DATA)"))
    func mnist() throws {
        let train = try realMNISTTrain.get(), test = try realMNISTTest.get()
        #expect(train.count == 60000 && test.count == 10000)
        #expect(train.imageShape == [1, 28, 28])
        #expect(Array(train.classCounts().prefix(2)) == [5923, 6742])
        #expect(Array(test.classCounts().prefix(2)) == [980, 1135])
        #expect(test.labels[0] == 7)
        let batch = test.batch([0, 1], transform: .mnistLeNet)
        #expect(batch.images.shape == [2, 1, 32, 32])
    }

    @Test(.enabled(if: fashionPresent, "Fashion-MNIST not found (apt-get install dataset-fashion-mnist)"))
    func fashionMNIST() throws {
        let train = try FashionMNIST.load(split: .train, from: sharedData)
        let test = try FashionMNIST.load(split: .test, from: sharedData)
        #expect(train.count == 60000 && test.count == 10000)
        #expect(train.classCounts() == Array(repeating: 6000, count: 10))
    }

    @Test(.enabled(if: notMNISTPresent, "notMNIST not found in \(sharedDataRoot.path)"))
    func notMNIST() throws {
        let test = try NotMNIST.load(from: sharedData)
        #expect(test.count == 10000)
        #expect(test.classCounts() == Array(repeating: 1000, count: 10))
    }

    @Test(.enabled(if: cifar10TestPresent, "CIFAR-10 not found in \(sharedDataRoot.path)"))
    func cifar10() throws {
        let test = try CIFAR10.load(split: .test, from: sharedData)
        #expect(test.count == 10000)
        #expect(test.classCounts() == Array(repeating: 1000, count: 10))
        #expect(test.classNames.first == "airplane")
        let train = try CIFAR10.load(split: .train, from: sharedData, allowPartial: true)
        #expect(train.count % 10000 == 0 && train.count >= 10000)
    }

    @Test(.enabled(if: bsd300Present, "BSD300 not found in \(sharedDataRoot.path)"))
    func bsd300() throws {
        let train = try BSD300.load(split: .train, from: sharedData)
        let test = try BSD300.load(split: .test, from: sharedData)
        #expect(train.count == 200 && test.count == 100)
        #expect((train + test).allSatisfy { Set([$0.width, $0.height]) == Set([481, 321]) })
        // Pillow's decode of 101085.jpg, its luma, centre crop 255 and bicubic ÷3 (computed in Python).
        let image = try #require(test.first { $0.name == "101085" })
        #expect(image.width == 321 && image.height == 481)
        #expect(image.pixels.reduce(0) { $0 + Int($1) } == 41_897_066)
        let pairs = SuperResolutionSet(images: [image], upscaleFactor: 3, cropSize: 255)
        #expect(pairs.targets[0].pixels.reduce(0) { $0 + Int($1) } == 4_842_867)
        let input = pairs.input(of: pairs.targets[0])
        #expect(input.reduce(0) { $0 + Int($1) } == 538_081)
        #expect(Array(input[40 * 85..<40 * 85 + 6]) == [121, 95, 73, 73, 69, 66])
    }

    @Test(.enabled(if: mnistPresent, "MNIST not found in \(sharedDataRoot.path)"))
    func corruptedCopiesAreRefused() throws {
        let folder = temporaryFolder(); defer { removeTemporary(folder) }
        let (_, files) = try sharedData.locate(["t10k-labels-idx1-ubyte", "t10k-images-idx3-ubyte"], of: .mnist)
        let labels = [UInt8](try Data(contentsOf: files[0]))
        let images = [UInt8](try Data(contentsOf: files[1]))
        let target = folder.appendingPathComponent("mnist")
        write(images, to: target.appendingPathComponent(files[1].lastPathComponent))
        // Truncated.
        write(Array(labels.prefix(labels.count - 100)), to: target.appendingPathComponent(files[0].lastPathComponent))
        #expect(throws: DatasetError.self) { try MNIST.load(split: .test, from: DataLocation(root: folder)) }
        // A flipped byte in the compressed stream (gzip CRC or inflate error).
        var flipped = labels
        flipped[labels.count / 2] ^= 0x10
        write(flipped, to: target.appendingPathComponent(files[0].lastPathComponent))
        #expect(throws: DatasetError.self) { try MNIST.load(split: .test, from: DataLocation(root: folder)) }
        // A changed label in the uncompressed file: only the checksum can tell.
        var content = isGzipped(labels) ? try gunzipForTest(files[0]) : labels
        content[8] = content[8] == 7 ? 1 : 7
        try FileManager.default.removeItem(at: target.appendingPathComponent(files[0].lastPathComponent))
        write(content, to: target.appendingPathComponent("t10k-labels-idx1-ubyte"))
        #expect {
            try MNIST.load(split: .test, from: DataLocation(root: folder))
        } throws: { error in
            guard case let DatasetError.checksumMismatch(_, expected, _) = error else { return false }
            return expected == "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"
        }
    }
}

func isGzipped(_ bytes: [UInt8]) -> Bool { bytes.count > 2 && bytes[0] == 0x1F && bytes[1] == 0x8B }

/// Uncompressed content through the system's gzip (an independent decoder).
func gunzipForTest(_ url: URL) throws -> [UInt8] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["gzip", "-dc", url.path]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return [UInt8](data)
}
