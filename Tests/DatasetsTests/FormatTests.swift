// FormatTests.swift — fixture files of each format parsed to the exact pixels and labels, and
// every kind of bad file refused with the right error.

import Datasets
import Foundation
import Testing

@Suite struct IDXFormatTests {
    @Test(arguments: [false, true]) func tinyIDXParsesExactly(gzipped: Bool) throws {
        let folder = temporaryFolder(); defer { removeTemporary(folder) }
        let fixture = tinyIDX(count: 5)
        let suffix = gzipped ? ".gz" : ""
        write(gzipped ? gzipCompress(fixture.images) : fixture.images, to: folder.appendingPathComponent("mnist/t10k-images-idx3-ubyte" + suffix))
        write(gzipped ? gzipCompress(fixture.labels) : fixture.labels, to: folder.appendingPathComponent("mnist/t10k-labels-idx1-ubyte" + suffix))
        let dataset = try MNIST.load(split: .test, from: DataLocation(root: folder, allowUnknownFiles: true))
        #expect(dataset.count == 5)
        #expect(dataset.imageShape == [1, 3, 2])
        #expect(dataset.pixels == fixture.pixels)
        #expect(dataset.labels == fixture.labelValues.map(Int.init))
    }

    @Test func wrongMagicIsRefused() {
        var bytes = tinyIDX(count: 2).images
        bytes[3] = 1  // 0x801 where 0x803 is expected
        #expect(throws: DatasetError.wrongMagic(file: "x", expected: 0x803, actual: 0x801)) {
            try parseIDX(bytes, expectedRank: 3, name: "x")
        }
    }

    @Test func truncatedIDXIsRefused() {
        let bytes = tinyIDX(count: 4).images
        #expect(throws: DatasetError.truncated(file: "x", expectedBytes: bytes.count, actualBytes: bytes.count - 1)) {
            try parseIDX(Array(bytes.dropLast()), expectedRank: 3, name: "x")
        }
        #expect(throws: DatasetError.truncated(file: "x", expectedBytes: 16, actualBytes: 10)) {
            try parseIDX(Array(bytes.prefix(10)), expectedRank: 3, name: "x")
        }
    }

    @Test func trailingBytesAreADimensionMismatch() throws {
        let bytes = tinyIDX(count: 2).images + [0]
        do {
            _ = try parseIDX(bytes, expectedRank: 3, name: "x")
            Issue.record("no error")
        } catch let DatasetError.dimensionMismatch(file, detail) {
            #expect(file == "x")
            #expect(detail.contains("[2, 3, 2]"))
        }
    }

    @Test func imageAndLabelCountsMustAgree() {
        let folder = temporaryFolder(); defer { removeTemporary(folder) }
        write(tinyIDX(count: 5).images, to: folder.appendingPathComponent("mnist/t10k-images-idx3-ubyte"))
        write(tinyIDX(count: 4).labels, to: folder.appendingPathComponent("mnist/t10k-labels-idx1-ubyte"))
        #expect {
            try MNIST.load(split: .test, from: DataLocation(root: folder, allowUnknownFiles: true))
        } throws: { error in
            "\(error)".contains("4 labels for 5 images")
        }
    }

    @Test func corruptGzipIsRefused() throws {
        let folder = temporaryFolder(); defer { removeTemporary(folder) }
        var compressed = gzipCompress(tinyIDX(count: 50).images)
        compressed[compressed.count / 2] ^= 0xFF
        write(compressed, to: folder.appendingPathComponent("mnist/t10k-images-idx3-ubyte.gz"))
        write(gzipCompress(tinyIDX(count: 50).labels), to: folder.appendingPathComponent("mnist/t10k-labels-idx1-ubyte.gz"))
        #expect {
            try MNIST.load(split: .test, from: DataLocation(root: folder, allowUnknownFiles: true))
        } throws: { error in
            guard case let DatasetError.gzipCorrupted(file, _) = error else { return false }
            return file.hasSuffix("t10k-images-idx3-ubyte.gz")
        }
    }

    @Test func truncatedGzipIsRefused() {
        let folder = temporaryFolder(); defer { removeTemporary(folder) }
        let compressed = gzipCompress(tinyIDX(count: 50).images)
        write(Array(compressed.prefix(compressed.count - 12)), to: folder.appendingPathComponent("mnist/t10k-images-idx3-ubyte.gz"))
        write(tinyIDX(count: 50).labels, to: folder.appendingPathComponent("mnist/t10k-labels-idx1-ubyte"))
        #expect {
            try MNIST.load(split: .test, from: DataLocation(root: folder, allowUnknownFiles: true))
        } throws: { error in
            guard case DatasetError.gzipCorrupted = error else { return false }
            return true
        }
    }

    @Test func checksumMismatchIsRefusedUnlessAllowed() throws {
        let folder = temporaryFolder(); defer { removeTemporary(folder) }
        let fixture = tinyIDX(count: 3)
        write(fixture.images, to: folder.appendingPathComponent("mnist/t10k-images-idx3-ubyte"))
        write(fixture.labels, to: folder.appendingPathComponent("mnist/t10k-labels-idx1-ubyte"))
        do {
            _ = try MNIST.load(split: .test, from: DataLocation(root: folder))
            Issue.record("a file with another hash was accepted")
        } catch let DatasetError.checksumMismatch(file, expected, actual) {
            #expect(file.hasSuffix("t10k-images-idx3-ubyte"))
            #expect(expected == "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7")
            #expect(actual == sha256Hex(fixture.images))
        }
        let accepted = try MNIST.load(split: .test, from: DataLocation(root: folder, allowUnknownFiles: true))
        #expect(accepted.count == 3)
    }

    @Test func missingFilesAreNamedWithTheirSource() {
        let folder = temporaryFolder(); defer { removeTemporary(folder) }
        write(tinyIDX(count: 3).labels, to: folder.appendingPathComponent("mnist/train-labels-idx1-ubyte.gz"))
        do {
            _ = try MNIST.load(split: .train, from: DataLocation(root: folder))
            Issue.record("no error")
        } catch let error as DatasetError {
            guard case let .missingFiles(dataset, directory, files, source) = error else {
                Issue.record("wrong error \(error)"); return
            }
            #expect(dataset == "MNIST")
            #expect(directory == folder.appendingPathComponent("mnist").path)
            #expect(files == ["train-images-idx3-ubyte"])
            #expect(source.contains("yann.lecun.com"))
            #expect(error.description.contains("train-images-idx3-ubyte"))
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func notMNISTHasNoTrainingSplit() {
        #expect(throws: DatasetError.self) { try NotMNIST.load(split: .train, from: DataLocation(path: "/nonexistent")) }
    }
}

@Suite struct CIFARFormatTests {
    @Test func cifar10RecordsParseExactly() throws {
        let folder = temporaryFolder(); defer { removeTemporary(folder) }
        write(gzipCompress(cifarRecords(count: 3, labelBytes: 1)), to: folder.appendingPathComponent("cifar10/test_batch.bin.gz"))
        let dataset = try CIFAR10.load(split: .test, from: DataLocation(root: folder, allowUnknownFiles: true))
        #expect(dataset.count == 3)
        #expect(dataset.imageShape == [3, 32, 32])
        #expect(dataset.labels == [0, 1, 2])
        #expect(Array(dataset.image(at: 2)) == (0..<3072).map { UInt8((2 + $0) % 256) })
        #expect(dataset.classNames == CIFAR10.classNames)
    }

    @Test func cifar10PartialTrainingSet() throws {
        let folder = temporaryFolder(); defer { removeTemporary(folder) }
        write(cifarRecords(count: 2, labelBytes: 1), to: folder.appendingPathComponent("cifar10/data_batch_1.bin"))
        write(cifarRecords(count: 3, labelBytes: 1), to: folder.appendingPathComponent("cifar10/data_batch_3.bin"))
        let location = DataLocation(root: folder, allowUnknownFiles: true)
        #expect {
            try CIFAR10.load(split: .train, from: location)
        } throws: { error in
            guard case let DatasetError.missingFiles(_, _, files, _) = error else { return false }
            return files == ["data_batch_2.bin", "data_batch_4.bin", "data_batch_5.bin"]
        }
        let partial = try CIFAR10.load(split: .train, from: location, allowPartial: true)
        #expect(partial.count == 5)
        #expect(partial.labels == [0, 1, 0, 1, 2])
    }

    @Test func cifar10TruncatedRecordIsRefused() {
        let bytes = cifarRecords(count: 2, labelBytes: 1)
        #expect(throws: DatasetError.truncated(file: "b", expectedBytes: 2 * 3073, actualBytes: 2 * 3073 - 5)) {
            try parseCIFARRecords(Array(bytes.dropLast(5)), labelBytes: 1, name: "b")
        }
        #expect(throws: DatasetError.truncated(file: "b", expectedBytes: 10 * 3073, actualBytes: 2 * 3073)) {
            try parseCIFARRecords(bytes, labelBytes: 1, name: "b", expectedRecords: 10)
        }
    }

    @Test func cifar10StrictLoadWantsTheRegisteredRecordCount() {
        let folder = temporaryFolder(); defer { removeTemporary(folder) }
        write(cifarRecords(count: 2, labelBytes: 1), to: folder.appendingPathComponent("cifar10/data_batch_2.bin"))
        for k in [1, 3, 4, 5] { write(cifarRecords(count: 2, labelBytes: 1), to: folder.appendingPathComponent("cifar10/data_batch_\(k).bin")) }
        // Batch 1 has a known hash: strict loading refuses the fixture by checksum.
        #expect(throws: DatasetError.self) { try CIFAR10.load(split: .train, from: DataLocation(root: folder)) }
    }

    @Test(arguments: [CIFAR100.LabelKind.fine, .coarse]) func cifar100RecordsParseExactly(kind: CIFAR100.LabelKind) throws {
        let folder = temporaryFolder(); defer { removeTemporary(folder) }
        write(cifarRecords(count: 12, labelBytes: 2), to: folder.appendingPathComponent("cifar100/test.bin"))
        write(Array((0..<100).map { "fine\($0)" }.joined(separator: "\n").utf8), to: folder.appendingPathComponent("cifar100/fine_label_names.txt"))
        write(Array(((0..<20).map { "coarse\($0)" }.joined(separator: "\n") + "\n\n").utf8), to: folder.appendingPathComponent("cifar100/coarse_label_names.txt"))
        let dataset = try CIFAR100.load(split: .test, labels: kind, from: DataLocation(root: folder, allowUnknownFiles: true))
        #expect(dataset.count == 12)
        #expect(dataset.labels == (0..<12).map { kind == .fine ? $0 % 10 : $0 % 7 })
        #expect(dataset.classNames.count == (kind == .fine ? 100 : 20))
        #expect(Array(dataset.image(at: 11)) == (0..<3072).map { UInt8((11 + $0) % 256) })
    }
}

@Suite struct ImageCodecTests {
    @Test func pngRoundTripIsExact() throws {
        let image = RGBImage(name: "t", width: 5, height: 3, pixels: (0..<45).map { UInt8($0 * 5) })
        let decoded = try PNGCodec.decode(try PNGCodec.encode(image), name: "t.png")
        #expect(decoded.width == 5 && decoded.height == 3)
        #expect(decoded.pixels == image.pixels)
    }

    @Test func jpegRoundTripIsClose() throws {
        let image = gradientImage(width: 24, height: 16)
        let decoded = try JPEGCodec.decode(try JPEGCodec.encode(image, quality: 100), name: "t.jpg")
        #expect(decoded.width == 24 && decoded.height == 16)
        let worst = zip(decoded.pixels, image.pixels).map { abs(Int($0) - Int($1)) }.max()!
        #expect(worst <= 3)
    }

    @Test func unreadableJPEGIsRefused() throws {
        let bytes = try JPEGCodec.encode(gradientImage(width: 64, height: 64))
        for damaged in [[0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3], Array(bytes.prefix(bytes.count / 2)), Array(repeating: 7, count: 100)] as [[UInt8]] {
            #expect {
                try JPEGCodec.decode(damaged, name: "bad.jpg")
            } throws: { error in
                guard case let DatasetError.unreadableImage(file, _) = error else { return false }
                return file == "bad.jpg"
            }
        }
    }

    @Test func unreadablePNGIsRefused() throws {
        let bytes = try PNGCodec.encode(gradientImage(width: 16, height: 16))
        #expect(throws: DatasetError.self) { try PNGCodec.decode(Array(bytes.prefix(bytes.count - 20)), name: "bad.png") }
        var flipped = bytes
        flipped[40] ^= 0x55
        #expect(throws: DatasetError.self) { try PNGCodec.decode(flipped, name: "bad.png") }
    }

    @Test func bsd300FixtureLoadsJPEGAndPNG() throws {
        let folder = temporaryFolder(); defer { removeTemporary(folder) }
        let png = RGBImage(name: "1", width: 4, height: 2, pixels: (0..<24).map { UInt8($0 * 10) })
        write(Array("2\n1\n".utf8), to: folder.appendingPathComponent("bsd300/iids_train.txt"))
        write(try PNGCodec.encode(png), to: folder.appendingPathComponent("bsd300/images/train/1.png"))
        write(try JPEGCodec.encode(gradientImage(width: 8, height: 8)), to: folder.appendingPathComponent("bsd300/images/train/2.jpg"))
        let images = try BSD300.load(split: .train, from: DataLocation(root: folder, allowUnknownFiles: true))
        #expect(images.map(\.name) == ["2", "1"])
        #expect(images[1].pixels == png.pixels)
        #expect(images[0].width == 8)
        // An unreadable image is refused, naming the file.
        write([0xFF, 0xD8, 0xFF, 0, 0, 0], to: folder.appendingPathComponent("bsd300/images/train/2.jpg"))
        #expect {
            try BSD300.load(split: .train, from: DataLocation(root: folder, allowUnknownFiles: true))
        } throws: { error in
            "\(error)".contains("images/train/2.jpg")
        }
    }
}
