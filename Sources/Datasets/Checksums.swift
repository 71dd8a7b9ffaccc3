// Checksums.swift — SHA-256 (swift-crypto) of file contents, computed once per process per file.
//
// Hashing the full MNIST training images takes a noticeable fraction of a second, so a hash is
// remembered per file path, size and modification time: a file changed on disk is hashed again.

import Crypto
import Foundation

/// Lower-case hex SHA-256 of `bytes`.
public func sha256Hex(_ bytes: [UInt8]) -> String {
    SHA256.hash(data: bytes).map { byte in
        let hex = String(byte, radix: 16)
        return byte < 16 ? "0" + hex : hex
    }.joined()
}

/// Lower-case hex SHA-256 of a file's bytes as stored (not decompressed).
public func sha256HexOfFile(_ url: URL) throws -> String {
    sha256Hex(try readFileBytes(url))
}

/// Per-process memory of content hashes, keyed by file identity.
final class ChecksumCache: @unchecked Sendable {
    static let shared = ChecksumCache()
    private let lock = NSLock()
    private var hashes: [String: String] = [:]

    private func key(for file: URL) -> String? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file.path),
              let size = attributes[.size] as? NSNumber,
              let modified = attributes[.modificationDate] as? Date else { return nil }
        return "\(file.path)|\(size)|\(modified.timeIntervalSince1970)"
    }

    /// The SHA-256 of `content`, which was read from `file`; remembered for `file`.
    func sha256(of content: [UInt8], file: URL) -> String {
        let key = key(for: file)
        if let key {
            lock.lock()
            let cached = hashes[key]
            lock.unlock()
            if let cached { return cached }
        }
        let hash = sha256Hex(content)
        if let key {
            lock.lock()
            hashes[key] = hash
            lock.unlock()
        }
        return hash
    }
}
