// DatasetError.swift — every way reading a dataset can fail, each with a message that names
// the file and what is wrong with it. Loaders throw these; nothing crashes on bad input and
// nothing returns a silently partial dataset.

import Foundation

/// A failure to find, download, verify or parse a dataset file.
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    /// Required files are absent. Lists every expected file, the folder they belong in and
    /// where they come from.
    case missingFiles(dataset: String, directory: String, files: [String], source: String)
    /// A file ends before its header or records say it should.
    case truncated(file: String, expectedBytes: Int, actualBytes: Int)
    /// A file does not start with the magic number of its format.
    case wrongMagic(file: String, expected: UInt32, actual: UInt32)
    /// Sizes inside a file, or between files that belong together, disagree.
    case dimensionMismatch(file: String, detail: String)
    /// A gzip stream is damaged (bad header, bad CRC, or cut short).
    case gzipCorrupted(file: String, detail: String)
    /// A file's SHA-256 is not the one the registry knows.
    case checksumMismatch(file: String, expected: String, actual: String)
    /// An image file that the decoder cannot read.
    case unreadableImage(file: String, detail: String)
    /// A file exists but cannot be read (permissions, I/O error).
    case unreadableFile(file: String, detail: String)
    /// Downloading failed; says what to do instead.
    case downloadFailed(dataset: String, url: String, reason: String, directory: String,
                        files: [String], source: String)
    /// Unpacking a downloaded archive failed.
    case unpackFailed(file: String, detail: String)
    /// A request the dataset cannot satisfy (e.g. a split it does not have).
    case unsupported(dataset: String, detail: String)

    public var description: String {
        switch self {
        case let .missingFiles(dataset, directory, files, source):
            return "\(dataset): missing \(files.joined(separator: ", ")) in \(directory); "
                + "put the files there (plain or .gz) or download them; they come from \(source)"
        case let .truncated(file, expected, actual):
            return "\(file): truncated: expected \(expected) bytes, found \(actual)"
        case let .wrongMagic(file, expected, actual):
            return "\(file): wrong magic number 0x\(String(actual, radix: 16)), expected 0x\(String(expected, radix: 16))"
        case let .dimensionMismatch(file, detail):
            return "\(file): \(detail)"
        case let .gzipCorrupted(file, detail):
            return "\(file): corrupt gzip data: \(detail)"
        case let .checksumMismatch(file, expected, actual):
            return "\(file): SHA-256 mismatch: expected \(expected), actual \(actual) "
                + "(pass allowUnknownFiles to accept a structurally valid file with another hash)"
        case let .unreadableImage(file, detail):
            return "\(file): cannot decode image: \(detail)"
        case let .unreadableFile(file, detail):
            return "\(file): cannot read: \(detail)"
        case let .downloadFailed(dataset, url, reason, directory, files, source):
            return "\(dataset): could not download \(url): \(reason); put the files "
                + "\(files.joined(separator: ", ")) into \(directory); they come from \(source)"
        case let .unpackFailed(file, detail):
            return "\(file): cannot unpack: \(detail)"
        case let .unsupported(dataset, detail):
            return "\(dataset): \(detail)"
        }
    }
}
