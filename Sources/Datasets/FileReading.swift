// FileReading.swift — whole-file reads with transparent gzip decompression (zlib).
//
// Every dataset file may be stored plain or gzipped (`name` or `name.gz`); callers ask for the
// logical name and get the uncompressed bytes. A damaged gzip stream (bad header, CRC error,
// stream cut short) is an error naming the file, never a short result.

import CZlib
import Foundation

/// Reads a whole file into memory.
func readFileBytes(_ url: URL) throws -> [UInt8] {
    guard let handle = FileHandle(forReadingAtPath: url.path) else {
        let exists = FileManager.default.fileExists(atPath: url.path)
        throw DatasetError.unreadableFile(file: url.path, detail: exists ? "permission denied" : "no such file")
    }
    defer { try? handle.close() }
    do {
        let data = try handle.readToEnd() ?? Data()
        return [UInt8](data)
    } catch {
        throw DatasetError.unreadableFile(file: url.path, detail: "\(error)")
    }
}

/// True when `bytes` start with the gzip magic 1f 8b.
func isGzip(_ bytes: [UInt8]) -> Bool { bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B }

/// Inflates a gzip stream (one or more concatenated members) with zlib.
/// - Parameter name: the file name used in error messages.
func gunzip(_ compressed: [UInt8], name: String) throws -> [UInt8] {
    guard compressed.count >= 18 else {
        throw DatasetError.gzipCorrupted(file: name, detail: "only \(compressed.count) bytes, shorter than a gzip header and trailer")
    }
    // The trailer's ISIZE field (uncompressed size mod 2³²) is a good first guess of the size.
    let n = compressed.count
    let sizeHint = Int(UInt32(compressed[n - 4]) | UInt32(compressed[n - 3]) << 8
                       | UInt32(compressed[n - 2]) << 16 | UInt32(compressed[n - 1]) << 24)
    var output = [UInt8](repeating: 0, count: max(sizeHint, 1024))
    var produced = 0
    // zlib keeps a pointer back to its z_stream and refuses one that moved, so the stream lives
    // at a fixed heap address rather than in a Swift variable.
    let streamPointer = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    streamPointer.initialize(to: z_stream())
    defer { streamPointer.deallocate() }
    // windowBits 15 + 16: gzip wrapper only, with header and CRC-32 checks.
    guard inflateInit2_(streamPointer, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
        throw DatasetError.gzipCorrupted(file: name, detail: "zlib could not start")
    }
    defer { inflateEnd(streamPointer) }
    try compressed.withUnsafeBufferPointer { input in
        let stream = streamPointer
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress!)
        stream.pointee.avail_in = UInt32(input.count)
        while true {
            if produced == output.count { output.append(contentsOf: [UInt8](repeating: 0, count: output.count)) }
            let status: Int32 = output.withUnsafeMutableBufferPointer { out in
                stream.pointee.next_out = out.baseAddress! + produced
                stream.pointee.avail_out = UInt32(min(out.count - produced, Int(UInt32.max)))
                let before = stream.pointee.avail_out
                let result = inflate(streamPointer, Z_NO_FLUSH)
                produced += Int(before - stream.pointee.avail_out)
                return result
            }
            switch status {
            case Z_STREAM_END:
                // Another gzip member may follow (concatenated .gz files are valid gzip).
                if stream.pointee.avail_in == 0 { return }
                if inflateReset(streamPointer) != Z_OK {
                    throw DatasetError.gzipCorrupted(file: name, detail: "cannot restart after a member")
                }
            case Z_OK:
                continue
            case Z_BUF_ERROR:
                if stream.pointee.avail_in == 0 {
                    throw DatasetError.gzipCorrupted(file: name, detail: "stream ends early (file truncated?) after \(produced) bytes")
                }
                continue  // output full: the loop grows the buffer
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                throw DatasetError.gzipCorrupted(file: name, detail: message)
            }
        }
    }
    output.removeSubrange(produced...)
    return output
}

/// The bytes of a data file, decompressed if it is gzipped.
func readMaybeGzipped(_ url: URL) throws -> [UInt8] {
    let bytes = try readFileBytes(url)
    return isGzip(bytes) ? try gunzip(bytes, name: url.path) : bytes
}

/// Compresses bytes as a single gzip member (used by tests to make fixtures, and by nothing hot).
public func gzipCompress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    defer { stream.deallocate() }
    guard deflateInit2_(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                        Int32(MemoryLayout<z_stream>.size)) == Z_OK else { fatalError("zlib deflateInit2 failed") }
    defer { deflateEnd(stream) }
    var output = [UInt8](repeating: 0, count: Int(deflateBound(stream, UInt(bytes.count))) + 64)
    var input = bytes + [0]  // never empty, so the buffer has an address
    let written: Int = input.withUnsafeMutableBufferPointer { inBuf in
        output.withUnsafeMutableBufferPointer { outBuf in
            stream.pointee.next_in = inBuf.baseAddress
            stream.pointee.avail_in = UInt32(bytes.count)
            stream.pointee.next_out = outBuf.baseAddress
            stream.pointee.avail_out = UInt32(outBuf.count)
            let status = deflate(stream, Z_FINISH)
            guard status == Z_STREAM_END else { fatalError("zlib deflate failed: \(status)") }
            return outBuf.count - Int(stream.pointee.avail_out)
        }
    }
    return Array(output[..<written])
}
