// DownloadTests.swift — the data directory look-up order and the offline download error.

import Datasets
import Foundation
import Testing

@Suite struct LocationAndDownloadTests {
    @Test func lookUpOrder() {
        #expect(DataLocation.resolve(explicitDirectory: "/a", environment: ["BAYES_DATA": "/b"]).root.path == "/a")
        #expect(DataLocation.resolve(explicitDirectory: nil, environment: ["BAYES_DATA": "/b"]).root.path == "/b")
        #expect(DataLocation.resolve(explicitDirectory: nil, environment: [:]).root.lastPathComponent == "data")
    }

    @Test func fashionMNISTIsAlsoLookedUpInTheSystemFolder() {
        let folders = DataLocation(path: "/x").candidateFolders(for: .fashionMNIST).map(\.path)
        #expect(folders == ["/x/fashion-mnist", "/usr/share/datasets/fashion-mnist"])
    }

    @Test func registryKnowsEveryDataset() {
        for description in DatasetRegistry.all {
            #expect(!description.files.isEmpty && !description.downloads.isEmpty && !description.citation.isEmpty)
            for file in description.files { #expect(file.sha256.allSatisfy { $0.count == 64 }) }
        }
    }

    @Test func offlineDownloadFailsClearlyAndLeavesNothing() throws {
        let folder = temporaryFolder(); defer { removeTemporary(folder) }
        let unreachable = DownloadSource(urls: ["http://127.0.0.1:9/train-images-idx3-ubyte.gz"], archiveSHA256: nil,
                                         unpacking: .gzipFile(file: "train-images-idx3-ubyte"))
        do {
            try DatasetDownloader.download(.mnist, into: DataLocation(root: folder), sources: [unreachable])
            Issue.record("download from a closed port succeeded")
        } catch let error as DatasetError {
            let message = error.description
            #expect(message.contains("could not download http://127.0.0.1:9/train-images-idx3-ubyte.gz"))
            #expect(message.contains("curl"))
            #expect(message.contains("t10k-labels-idx1-ubyte"))
            #expect(message.contains(folder.appendingPathComponent("mnist").path))
            #expect(message.contains("yann.lecun.com"))
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("mnist").path)
        #expect(left.isEmpty)
    }

    @Test func gzipDownloadIsVerifiedAndInstalled() throws {
        // A local "download" through curl's file:// support: no network involved.
        let folder = temporaryFolder(); defer { removeTemporary(folder) }
        let fixture = tinyIDX(count: 2)
        let source = folder.appendingPathComponent("served/labels.gz")
        write(gzipCompress(fixture.labels), to: source)
        let good = DownloadSource(urls: [source.absoluteString], archiveSHA256: nil, unpacking: .gzipFile(file: "t10k-labels-idx1-ubyte"))
        // The registry's content hash refuses the fixture, and nothing is installed.
        #expect(throws: DatasetError.self) { try DatasetDownloader.download(.mnist, into: DataLocation(root: folder), sources: [good]) }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("mnist/t10k-labels-idx1-ubyte.gz").path))
        try DatasetDownloader.download(.mnist, into: DataLocation(root: folder, allowUnknownFiles: true), sources: [good])
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("mnist/t10k-labels-idx1-ubyte.gz").path))
        let wrongHash = DownloadSource(urls: [source.absoluteString], archiveSHA256: String(repeating: "0", count: 64),
                                       unpacking: .gzipFile(file: "t10k-labels-idx1-ubyte"))
        #expect(throws: DatasetError.self) {
            try DatasetDownloader.download(.mnist, into: DataLocation(root: folder, allowUnknownFiles: true), sources: [wrongHash])
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("mnist").path) == ["t10k-labels-idx1-ubyte.gz"])
    }
}
