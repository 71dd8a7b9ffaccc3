// Checkpoint.swift — tensors to and from safetensors files, and module / optimizer state.
//
// The safetensors format (Hugging Face), which Python opens with `safetensors.numpy.load_file`:
//   bytes 0..<8      N, the header length, an unsigned 64-bit little-endian integer
//   bytes 8..<8+N    a UTF-8 JSON object:
//                      {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, …,
//                       "__metadata__": {"key": "value", …}}      (string values only)
//                    padded with spaces so that 8 + N is a multiple of 8
//   bytes 8+N…       the data: each tensor's values, little-endian, row-major, at
//                    [begin, end) counted from the first byte after the header.
//
// Contract: writing is atomic (a temporary file in the same directory, synced, then renamed
// over the destination), so a crash never leaves half a checkpoint. Reading validates every
// field and throws a `SafetensorsError` naming the file and the problem; it never traps on
// bad input. F32 is read as is; F16, BF16, F64, I64, I32, U8 are converted to float32 (F64 and
// the integers lose precision beyond 24 bits); other dtypes are rejected.

import Engine
import Foundation

/// What is wrong with a safetensors file.
public enum SafetensorsError: Error, CustomStringConvertible, Equatable {
    /// Fewer than the 8 bytes of the header length.
    case fileTooShort(path: String, size: Int)
    /// The header length points past the end of the file.
    case headerLengthPastEnd(path: String, headerLength: UInt64, fileSize: Int)
    /// The header is not UTF-8 JSON, or not an object.
    case invalidHeader(path: String, reason: String)
    /// A tensor entry lacks a field or has one of the wrong type or value.
    case invalidEntry(path: String, name: String, reason: String)
    /// A dtype this reader does not convert.
    case unsupportedDtype(path: String, name: String, dtype: String)
    /// data_offsets outside the data section, or reversed.
    case offsetsOutOfRange(path: String, name: String, begin: Int, end: Int, dataSize: Int)
    /// The byte length does not equal the element count times the element size.
    case sizeMismatch(path: String, name: String, shape: [Int], dtype: String, byteCount: Int)
    /// Two tensors claim the same bytes.
    case overlappingData(path: String, first: String, second: String)
    /// The file could not be read or written.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .fileTooShort(let path, let size):
            return "\(path): \(size) bytes is too short for a safetensors file (needs at least 8)"
        case .headerLengthPastEnd(let path, let length, let size):
            return "\(path): header length \(length) runs past the end of the \(size)-byte file"
        case .invalidHeader(let path, let reason):
            return "\(path): invalid safetensors header: \(reason)"
        case .invalidEntry(let path, let name, let reason):
            return "\(path): tensor '\(name)': \(reason)"
        case .unsupportedDtype(let path, let name, let dtype):
            return "\(path): tensor '\(name)' has dtype \(dtype); supported: F32, F16, BF16, F64, I64, I32, U8"
        case .offsetsOutOfRange(let path, let name, let begin, let end, let size):
            return "\(path): tensor '\(name)' data_offsets [\(begin), \(end)] outside the \(size)-byte data section"
        case .sizeMismatch(let path, let name, let shape, let dtype, let bytes):
            return "\(path): tensor '\(name)' of shape \(shape) and dtype \(dtype) cannot occupy \(bytes) bytes"
        case .overlappingData(let path, let first, let second):
            return "\(path): tensors '\(first)' and '\(second)' overlap in the data section"
        case .io(let path, let reason):
            return "\(path): \(reason)"
        }
    }
}

// MARK: - Writing

/// Writes float32 tensors and string metadata to a safetensors file, atomically.
/// - Parameters:
///   - tensors: (name, tensor) pairs, stored in this order; names must be unique and not
///     "__metadata__".
///   - metadata: free-form string pairs stored under "__metadata__" (omitted when empty).
///   - url: the destination; replaced if it exists.
/// - Throws: `SafetensorsError.io` when the file cannot be written.
public func saveSafetensors(_ tensors: [(String, Tensor)], metadata: [String: String] = [:], to url: URL) throws {
    try saveSafetensors(entries: tensors.map { ($0.0, .float32($0.1)) }, metadata: metadata, to: url)
}

/// What one entry of a safetensors file holds: float32 values, or raw bytes (dtype U8, e.g. a
/// bit-packed mask; `loadSafetensors` reads them back as floats 0…255).
public enum SafetensorsPayload {
    case float32(Tensor)
    case bytes([UInt8])

    var dtype: String { if case .float32 = self { "F32" } else { "U8" } }
    var shape: [Int] {
        switch self {
        case .float32(let tensor): tensor.shape
        case .bytes(let bytes): [bytes.count]
        }
    }
    var byteCount: Int {
        switch self {
        case .float32(let tensor): tensor.count * MemoryLayout<Float>.size
        case .bytes(let bytes): bytes.count
        }
    }
}

/// Writes float32 tensors and byte arrays, and string metadata, to a safetensors file, atomically
/// (the same contract as the float32-only `saveSafetensors`).
public func saveSafetensors(entries: [(String, SafetensorsPayload)], metadata: [String: String] = [:], to url: URL) throws {
    var names = Set<String>()
    for (name, _) in entries {
        precondition(name != "__metadata__" && names.insert(name).inserted, "saveSafetensors: duplicate or reserved name '\(name)'")
    }
    var header: [String: Any] = [:]
    var offset = 0
    for (name, payload) in entries {
        let bytes = payload.byteCount
        header[name] = ["dtype": payload.dtype, "shape": payload.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
        offset += bytes
    }
    if !metadata.isEmpty { header["__metadata__"] = metadata }
    var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
    // Pad with spaces so the data section starts 8-byte aligned (JSON ignores the spaces).
    json.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8))

    let directory = url.deletingLastPathComponent()
    let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
    guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
        throw SafetensorsError.io(path: url.path, reason: "cannot create \(temporary.path)")
    }
    do {
        let handle = try FileHandle(forWritingTo: temporary)
        defer { try? handle.close() }
        var length = UInt64(json.count).littleEndian
        try handle.write(contentsOf: Data(bytes: &length, count: 8))
        try handle.write(contentsOf: json)
        for (_, payload) in entries where payload.byteCount > 0 {
            switch payload {
            case .float32(let tensor): try handle.write(contentsOf: littleEndianBytes(of: tensor))
            case .bytes(let bytes): try handle.write(contentsOf: Data(bytes))
            }
        }
        try handle.synchronize()
    } catch {
        try? FileManager.default.removeItem(at: temporary)
        throw SafetensorsError.io(path: url.path, reason: "write failed: \(error)")
    }
    guard rename(temporary.path, url.path) == 0 else {
        let reason = String(cString: strerror(errno))
        try? FileManager.default.removeItem(at: temporary)
        throw SafetensorsError.io(path: url.path, reason: "cannot move the written file into place: \(reason)")
    }
}

/// The tensor's values as little-endian float32 bytes (no copy of the values on little-endian hosts).
private func littleEndianBytes(of tensor: Tensor) -> Data {
    #if _endian(little)
    return Data(bytesNoCopy: tensor.data, count: tensor.count * 4, deallocator: .none)
    #else
    var data = Data(capacity: tensor.count * 4)
    for value in tensor.buffer { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
    return data
    #endif
}

// MARK: - Reading

/// Reads every tensor (as float32) and the metadata of a safetensors file.
/// - Throws: `SafetensorsError` describing the first problem found.
public func loadSafetensors(from url: URL) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
    let path = url.path
    let file: Data
    do { file = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
        throw SafetensorsError.io(path: path, reason: "cannot read: \(error.localizedDescription)")
    }
    return try file.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
        try parseSafetensors(raw, path: path)
    }
}

/// Bytes per element of the dtypes this reader converts.
private let elementSizes: [String: Int] = ["F32": 4, "F16": 2, "BF16": 2, "F64": 8, "I64": 8, "I32": 4, "U8": 1]

private func parseSafetensors(_ raw: UnsafeRawBufferPointer, path: String) throws
    -> (tensors: [String: Tensor], metadata: [String: String]) {
    guard raw.count >= 8 else { throw SafetensorsError.fileTooShort(path: path, size: raw.count) }
    var headerLength: UInt64 = 0
    for i in 0..<8 { headerLength |= UInt64(raw[i]) << (8 * UInt64(i)) }
    guard headerLength <= UInt64(raw.count - 8) else {
        throw SafetensorsError.headerLengthPastEnd(path: path, headerLength: headerLength, fileSize: raw.count)
    }
    let headerEnd = 8 + Int(headerLength)
    let headerBytes = Data(raw[8..<headerEnd])
    guard String(data: headerBytes, encoding: .utf8) != nil else {
        throw SafetensorsError.invalidHeader(path: path, reason: "not UTF-8")
    }
    let object: Any
    do { object = try JSONSerialization.jsonObject(with: headerBytes) } catch {
        throw SafetensorsError.invalidHeader(path: path, reason: "not JSON (\(error.localizedDescription))")
    }
    guard let header = object as? [String: Any] else {
        throw SafetensorsError.invalidHeader(path: path, reason: "not a JSON object")
    }

    var metadata: [String: String] = [:]
    if let rawMetadata = header["__metadata__"] {
        guard let dictionary = rawMetadata as? [String: Any] else {
            throw SafetensorsError.invalidHeader(path: path, reason: "__metadata__ is not an object")
        }
        for (key, value) in dictionary {
            guard let string = value as? String else {
                throw SafetensorsError.invalidHeader(path: path, reason: "__metadata__ value for '\(key)' is not a string")
            }
            metadata[key] = string
        }
    }

    let data = UnsafeRawBufferPointer(rebasing: raw[headerEnd...])
    var entries: [(name: String, dtype: String, shape: [Int], begin: Int, end: Int)] = []
    for (name, value) in header where name != "__metadata__" {
        guard let entry = value as? [String: Any] else {
            throw SafetensorsError.invalidEntry(path: path, name: name, reason: "entry is not an object")
        }
        guard let dtype = entry["dtype"] as? String else {
            throw SafetensorsError.invalidEntry(path: path, name: name, reason: "missing or non-string dtype")
        }
        guard let shape = integers(entry["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
            throw SafetensorsError.invalidEntry(path: path, name: name, reason: "shape is not a list of non-negative integers")
        }
        guard let offsets = integers(entry["data_offsets"]), offsets.count == 2 else {
            throw SafetensorsError.invalidEntry(path: path, name: name, reason: "data_offsets is not a pair of integers")
        }
        guard let elementSize = elementSizes[dtype] else {
            throw SafetensorsError.unsupportedDtype(path: path, name: name, dtype: dtype)
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin >= 0, begin <= end, end <= data.count else {
            throw SafetensorsError.offsetsOutOfRange(path: path, name: name, begin: begin, end: end, dataSize: data.count)
        }
        let (count, overflow) = shape.reduce((1, false)) { acc, d in
            let (p, o) = acc.0.multipliedReportingOverflow(by: d)
            return (p, acc.1 || o)
        }
        let byteCount = count.multipliedReportingOverflow(by: elementSize)
        guard !overflow, !byteCount.overflow, byteCount.partialValue == end - begin else {
            throw SafetensorsError.sizeMismatch(path: path, name: name, shape: shape, dtype: dtype, byteCount: end - begin)
        }
        entries.append((name, dtype, shape, begin, end))
    }

    // Sorted by position, every tensor must end before the next non-empty one begins.
    let placed = entries.filter { $0.end > $0.begin }.sorted { $0.begin < $1.begin }
    for (previous, next) in zip(placed, placed.dropFirst()) where next.begin < previous.end {
        throw SafetensorsError.overlappingData(path: path, first: previous.name, second: next.name)
    }

    var tensors: [String: Tensor] = [:]
    for entry in entries {
        let tensor = Tensor(uninitializedShape: entry.shape)
        convert(UnsafeRawBufferPointer(rebasing: data[entry.begin..<entry.end]), dtype: entry.dtype, into: tensor.data)
        tensors[entry.name] = tensor
    }
    return (tensors, metadata)
}

/// An array of integers from JSON (numbers that are whole), or nil.
private func integers(_ value: Any?) -> [Int]? {
    guard let list = value as? [Any] else { return nil }
    var result: [Int] = []
    for item in list {
        // JSON booleans arrive as NSNumbers of ObjC type "c"; they are not integers here.
        guard let number = item as? NSNumber, String(cString: number.objCType) != "c",
              let integer = item as? Int else { return nil }
        result.append(integer)
    }
    return result
}

/// Decodes little-endian elements of `dtype` into float32 values.
private func convert(_ bytes: UnsafeRawBufferPointer, dtype: String, into out: UnsafeMutablePointer<Float>) {
    func load<T: FixedWidthInteger>(_: T.Type, _ i: Int) -> T {
        T(littleEndian: bytes.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self))
    }
    switch dtype {
    case "F32":
        for i in 0..<bytes.count / 4 { out[i] = Float(bitPattern: load(UInt32.self, i)) }
    case "F64":
        for i in 0..<bytes.count / 8 { out[i] = Float(Double(bitPattern: load(UInt64.self, i))) }
    case "BF16":
        // bfloat16 is the top half of a float32.
        for i in 0..<bytes.count / 2 { out[i] = Float(bitPattern: UInt32(load(UInt16.self, i)) << 16) }
    case "F16":
        for i in 0..<bytes.count / 2 { out[i] = floatFromHalf(load(UInt16.self, i)) }
    case "I64":
        for i in 0..<bytes.count / 8 { out[i] = Float(load(Int64.self, i)) }
    case "I32":
        for i in 0..<bytes.count / 4 { out[i] = Float(load(Int32.self, i)) }
    case "U8":
        for i in 0..<bytes.count { out[i] = Float(bytes[i]) }
    default:
        preconditionFailure("dtype \(dtype) passed validation but has no conversion")
    }
}

/// IEEE binary16 → float32, by fields: sign, 5-bit exponent (bias 15), 10-bit fraction.
private func floatFromHalf(_ bits: UInt16) -> Float {
    let sign: Float = bits & 0x8000 != 0 ? -1 : 1
    let exponent = Int((bits >> 10) & 0x1F)
    let fraction = Float(bits & 0x3FF)
    switch exponent {
    case 0: return sign * fraction * 0x1p-24                       // subnormal: f · 2⁻¹⁴ / 2¹⁰
    case 31: return fraction == 0 ? sign * .infinity : .nan
    default: return sign * (1 + fraction / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
    }
}

// MARK: - Module and optimizer state

/// What does not fit when state is loaded into a module or optimizer.
public enum StateDictError: Error, CustomStringConvertible, Equatable {
    case missingKeys([String])
    case unexpectedKeys([String])
    case shapeMismatch(name: String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case .missingKeys(let keys): return "state is missing: \(keys.joined(separator: ", "))"
        case .unexpectedKeys(let keys): return "state has unexpected entries: \(keys.joined(separator: ", "))"
        case .shapeMismatch(let name, let expected, let found):
            return "state '\(name)' has shape \(found), the module needs \(expected)"
        }
    }
}

extension Module {
    /// Every parameter and buffer by path name: what a checkpoint of this module stores.
    /// The tensors are the module's own (not copies).
    public var stateDict: [(String, Tensor)] { namedTensors }

    /// Copies saved values into this module's parameters and buffers, in place (so optimizers
    /// holding the parameters keep working).
    /// - Parameters:
    ///   - stateDict: tensors by path name, as `stateDict` names them.
    ///   - strict: when true (default), every tensor of the module must be present and no
    ///     other entries may be; when false, missing entries are left as they are and extra
    ///     ones ignored. Shapes must match either way.
    /// - Throws: `StateDictError`, before changing anything.
    public func load(stateDict: [String: Tensor], strict: Bool = true) throws {
        let own = namedTensors
        if strict {
            let missing = own.map(\.0).filter { stateDict[$0] == nil }
            if !missing.isEmpty { throw StateDictError.missingKeys(missing) }
            let names = Set(own.map(\.0))
            let unexpected = stateDict.keys.filter { !names.contains($0) }.sorted()
            if !unexpected.isEmpty { throw StateDictError.unexpectedKeys(unexpected) }
        }
        for (name, tensor) in own {
            if let saved = stateDict[name], saved.shape != tensor.shape {
                throw StateDictError.shapeMismatch(name: name, expected: tensor.shape, found: saved.shape)
            }
        }
        for (name, tensor) in own { if let saved = stateDict[name] { tensor.assign(saved) } }
    }
}

/// A training checkpoint in one safetensors file: the model's tensors under "model.", the
/// optimizer's state under "optimizer.", its learning rate in the metadata
/// ("optimizer.learningRate"), plus free-form metadata (epoch, seed, schedule state…).
public enum Checkpoint {
    /// Saves `model` (and `optimizer`, if given) atomically to `url`.
    public static func save(model: Module, optimizer: (any Optimizer)? = nil, metadata: [String: String] = [:],
                            to url: URL) throws {
        var tensors = model.stateDict.map { ("model.\($0.0)", $0.1) }
        var metadata = metadata
        if let optimizer {
            tensors += optimizer.namedState.map { ("optimizer.\($0.0)", $0.1) }
            metadata["optimizer.learningRate"] = String(optimizer.learningRate)
        }
        try saveSafetensors(tensors, metadata: metadata, to: url)
    }

    /// Restores `model` (strictly) and `optimizer` (if given) from `url`.
    /// - Returns: the file's metadata.
    @discardableResult
    public static func load(from url: URL, into model: Module, optimizer: (any Optimizer)? = nil) throws -> [String: String] {
        let (tensors, metadata) = try loadSafetensors(from: url)
        var modelState: [String: Tensor] = [:]
        var optimizerState: [String: Tensor] = [:]
        for (name, tensor) in tensors {
            if name.hasPrefix("model.") { modelState[String(name.dropFirst(6))] = tensor }
            else if name.hasPrefix("optimizer.") { optimizerState[String(name.dropFirst(10))] = tensor }
        }
        try model.load(stateDict: modelState)
        if let optimizer {
            try optimizer.load(state: optimizerState)
            if let rate = metadata["optimizer.learningRate"].flatMap(Float.init) { optimizer.learningRate = rate }
        }
        return metadata
    }
}
