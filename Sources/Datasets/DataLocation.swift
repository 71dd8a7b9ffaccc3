// DataLocation.swift — where datasets live on disk and how their files are found.
//
// Look-up order of the data directory: an explicit directory (a chapter's `--data-dir`), then
// `$BAYES_DATA`, then `./data`. Inside it each dataset has its folder (`mnist/`, `cifar10/`, …,
// the layout of ../shared/data). A dataset may also come from a system folder (Fashion-MNIST
// from the Debian package). Each file may be stored plain or gzipped.

import Foundation

/// The data directory, and how strictly files found there are checked.
public struct DataLocation: Sendable, CustomStringConvertible {
    /// The data directory holding one folder per dataset.
    public let root: URL
    /// Accept files whose SHA-256 differs from the registry's when they are structurally valid
    /// (a partial or re-made copy). Default false: a mismatch is refused.
    public var allowUnknownFiles: Bool

    /// A data directory at `root`.
    public init(root: URL, allowUnknownFiles: Bool = false) {
        self.root = root.standardizedFileURL
        self.allowUnknownFiles = allowUnknownFiles
    }

    /// A data directory at `path`.
    public init(path: String, allowUnknownFiles: Bool = false) {
        self.init(root: URL(fileURLWithPath: path), allowUnknownFiles: allowUnknownFiles)
    }

    /// The data directory by the suite's look-up order: `explicitDirectory` when given (the
    /// chapters' `--data-dir`), else `$BAYES_DATA` when set and non-empty, else `./data`.
    public static func resolve(explicitDirectory: String? = nil,
                               environment: [String: String] = ProcessInfo.processInfo.environment,
                               allowUnknownFiles: Bool = false) -> DataLocation {
        if let explicit = explicitDirectory, !explicit.isEmpty {
            return DataLocation(path: explicit, allowUnknownFiles: allowUnknownFiles)
        }
        if let fromEnvironment = environment["BAYES_DATA"], !fromEnvironment.isEmpty {
            return DataLocation(path: fromEnvironment, allowUnknownFiles: allowUnknownFiles)
        }
        return DataLocation(path: "data", allowUnknownFiles: allowUnknownFiles)
    }

    public var description: String { root.path }

    /// The folder a dataset is downloaded into (and looked for first).
    public func folder(for id: DatasetID) -> URL {
        root.appendingPathComponent(DatasetRegistry.description(of: id).folder, isDirectory: true)
    }

    /// Folders searched for a dataset, in order: the data directory's, then system folders.
    public func candidateFolders(for id: DatasetID) -> [URL] {
        [folder(for: id)] + DatasetRegistry.description(of: id).systemFolders.map { URL(fileURLWithPath: $0, isDirectory: true) }
    }

    /// The on-disk file for a logical name in `folder`: `name` if present, else `name.gz`.
    static func existingFile(_ name: String, in folder: URL) -> URL? {
        let fileManager = FileManager.default
        for candidate in [name, name + ".gz"] {
            let url = folder.appendingPathComponent(candidate)
            var isDirectory: ObjCBool = false
            if fileManager.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue { return url }
        }
        return nil
    }

    /// The first candidate folder holding every one of `names` (each plain or gzipped), with the
    /// URL of each file; throws `missingFiles` naming the files, the folder and their source.
    public func locate(_ names: [String], of id: DatasetID) throws -> (folder: URL, files: [URL]) {
        for folder in candidateFolders(for: id) {
            let found = names.compactMap { Self.existingFile($0, in: folder) }
            if found.count == names.count { return (folder, found) }
        }
        let description = DatasetRegistry.description(of: id)
        let primary = folder(for: id)
        let missing = names.filter { Self.existingFile($0, in: primary) == nil }
        throw DatasetError.missingFiles(dataset: description.name, directory: primary.path,
                                        files: missing.isEmpty ? names : missing, source: description.source)
    }

    /// Reads a dataset file (decompressing gzip) and checks its content against the registry's
    /// SHA-256 (once per process per file). A mismatch throws `checksumMismatch` unless
    /// `allowUnknownFiles` is set.
    /// - Parameters:
    ///   - url: the file on disk (`name` or `name.gz`).
    ///   - name: its logical name in the registry (relative to the dataset folder, no `.gz`).
    public func readVerified(_ url: URL, as name: String, of id: DatasetID) throws -> [UInt8] {
        let content = try readMaybeGzipped(url)
        try verifyChecksum(of: content, file: url, knownHashes: DatasetRegistry.knownHashes(dataset: id, file: name))
        return content
    }

    /// Checks `content` (the uncompressed bytes of `file`) against `knownHashes`.
    func verifyChecksum(of content: [UInt8], file: URL, knownHashes: [String]) throws {
        guard !knownHashes.isEmpty else { return }
        let actual = ChecksumCache.shared.sha256(of: content, file: file)
        if knownHashes.contains(actual) || allowUnknownFiles { return }
        throw DatasetError.checksumMismatch(file: file.path, expected: knownHashes.joined(separator: " or "), actual: actual)
    }
}
