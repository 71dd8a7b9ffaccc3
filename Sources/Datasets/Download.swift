// Download.swift — fetching a missing dataset from its canonical source.
//
// curl (run as a child process) downloads into a staging folder inside the dataset's folder;
// the archive's SHA-256 is checked when known, it is unpacked (gzip files kept as .gz, tar.gz
// archives extracted with tar), each unpacked file's content is checked against the registry,
// and only then are the files renamed into place. Any failure removes the staging folder, so
// nothing half-written is left. Offline, the error says which files to put where, and their source.

import Foundation

/// Downloads datasets listed in the registry.
public enum DatasetDownloader {
    /// Downloads every file of dataset `id` into `location`'s folder for it.
    /// - Parameters:
    ///   - sources: override of the registry's download sources (tests use an unreachable URL).
    ///   - curl: the curl executable.
    public static func download(_ id: DatasetID, into location: DataLocation, sources: [DownloadSource]? = nil,
                                curl: String = "curl") throws {
        let description = DatasetRegistry.description(of: id)
        let folder = location.folder(for: id)
        let expected = description.files.map(\.name)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw DatasetError.unreadableFile(file: folder.path, detail: "cannot create the dataset folder: \(error)")
        }
        for source in sources ?? description.downloads {
            let staging = folder.appendingPathComponent(".download-\(UUID().uuidString)", isDirectory: true)
            try? FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: staging) }
            let archive = staging.appendingPathComponent("download")
            var failures = [String]()
            var fetched = false
            for url in source.urls {
                if let failure = runCurl(curl, url: url, output: archive) { failures.append("\(url): \(failure)") } else {
                    fetched = true
                    break
                }
            }
            guard fetched else {
                throw DatasetError.downloadFailed(dataset: description.name, url: source.urls.first ?? "(no URL)",
                                                  reason: failures.joined(separator: "; "), directory: folder.path,
                                                  files: expected, source: description.source)
            }
            if let known = source.archiveSHA256 {
                let actual = try sha256HexOfFile(archive)
                guard actual == known else {
                    throw DatasetError.checksumMismatch(file: source.urls.first ?? archive.path, expected: known, actual: actual)
                }
            }
            try install(source.unpacking, archive: archive, staging: staging, folder: folder, id: id, location: location)
        }
    }

    /// Runs `load`; if it reports missing files, downloads the dataset and runs it again.
    public static func loadDownloadingIfMissing<T>(_ id: DatasetID, from location: DataLocation,
                                                   _ load: () throws -> T) throws -> T {
        do {
            return try load()
        } catch DatasetError.missingFiles {
            try download(id, into: location)
            return try load()
        }
    }

    /// curl's complaint, or nil on success.
    static func runCurl(_ curl: String, url: String, output: URL) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [curl, "--fail", "--silent", "--show-error", "--location", "--retry", "2",
                             "--connect-timeout", "30", "--output", output.path, url]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return "cannot run curl: \(error)"
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus == 0 { return nil }
        let trimmed = message.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? "curl exited with status \(process.terminationStatus)" : trimmed
    }

    /// Unpacks a verified download into the staging folder, checks the files, moves them into place.
    static func install(_ unpacking: DownloadSource.Unpacking, archive: URL, staging: URL, folder: URL,
                        id: DatasetID, location: DataLocation) throws {
        var moves = [(from: URL, to: URL)]()
        switch unpacking {
        case let .gzipFile(file):
            // Kept compressed (the loaders read gzip); checked by its uncompressed content.
            let content = try readMaybeGzipped(archive)
            try location.verifyChecksum(of: content, file: archive, knownHashes: DatasetRegistry.knownHashes(dataset: id, file: file))
            moves.append((archive, folder.appendingPathComponent(file + ".gz")))
        case let .tarGz(members):
            let extracted = staging.appendingPathComponent("extracted", isDirectory: true)
            try FileManager.default.createDirectory(at: extracted, withIntermediateDirectories: true)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["tar", "-xzf", archive.path, "-C", extracted.path]
            let errors = Pipe()
            process.standardError = errors
            do { try process.run() } catch {
                throw DatasetError.unpackFailed(file: archive.path, detail: "cannot run tar: \(error)")
            }
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw DatasetError.unpackFailed(file: archive.path, detail: message.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            for (member, target) in members.sorted(by: { $0.key < $1.key }) {
                let source = extracted.appendingPathComponent(member)
                guard FileManager.default.fileExists(atPath: source.path) else {
                    throw DatasetError.unpackFailed(file: archive.path, detail: "archive lacks \(member)")
                }
                if !member.hasSuffix("/") {
                    let content = try readMaybeGzipped(source)
                    try location.verifyChecksum(of: content, file: source,
                                                knownHashes: DatasetRegistry.knownHashes(dataset: id, file: target))
                }
                moves.append((source, folder.appendingPathComponent(target)))
            }
        }
        // Everything verified: rename into place (same file system, so each move is atomic).
        let fileManager = FileManager.default
        for (source, target) in moves {
            try? fileManager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            if fileManager.fileExists(atPath: target.path) { try? fileManager.removeItem(at: target) }
            do { try fileManager.moveItem(at: source, to: target) } catch {
                throw DatasetError.unpackFailed(file: target.path, detail: "cannot move into place: \(error)")
            }
        }
    }
}
