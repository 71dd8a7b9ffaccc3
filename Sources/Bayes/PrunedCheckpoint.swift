// PrunedCheckpoint.swift — a pruned Bayesian net stored in the space its kept weights need.
//
// A dense checkpoint stores μ and ρ of every weight (8 bytes each) whatever its mask says, plus
// the mask itself. This layout stores, for each Bayesian layer L with n weights of which k are
// kept (the mask is all ones when the layer has none):
//
//     sparse.L.kept    U8  [⌈n/8⌉]  the mask, one bit per weight (bit i % 8 of byte i / 8, 1 = kept)
//     sparse.L.mean    F32 [k]      μ of the kept weights, in the weights' row-major order
//     sparse.L.rho     F32 [k]      ρ of the kept weights
//
// and every other parameter and buffer (biases, frequentist layers) densely as `dense.<name>`:
// n/8 + 8k bytes per layer instead of 8n + 4n (μ, ρ and the float mask), so the file shrinks
// about in proportion to the weights kept, down to 1/96 of the dense size when nothing is kept.
// A bitmap beats a list of 32-bit indices (4k bytes) while more than 1/32 of the weights are kept,
// which covers the fractions this suite prunes to.
//
// Loading gives removed weights μ = 0 and ρ = `removedRho` (their values are not stored): the
// mask keeps them out of every output, but a net loaded this way cannot be re-pruned to a lower
// fraction, unlike one restored from a dense checkpoint.

import Foundation
import Engine
import NN

/// What is wrong with a file that should hold a pruned net in the sparse layout.
public enum PrunedCheckpointError: Error, CustomStringConvertible, Equatable {
    /// The file is a safetensors file but not in this layout (or another version of it).
    case notSparseLayout(path: String)
    /// An entry the model needs is missing, or has the wrong size.
    case mismatch(path: String, name: String, reason: String)

    public var description: String {
        switch self {
        case let .notSparseLayout(path):
            "\(path) is not a pruned checkpoint in the sparse layout (metadata 'layout' ≠ '\(PrunedCheckpoint.layout)'); "
                + "load it with Checkpoint.load instead"
        case let .mismatch(path, name, reason):
            "\(path): '\(name)' \(reason); the file was written for another architecture or is damaged"
        }
    }
}

public enum PrunedCheckpoint {
    /// The value of the "layout" metadata entry this reader understands.
    public static let layout = "pruned-bitmap-v1"
    /// ρ given to removed weights on loading (σ = softplus(−20) ≈ 2·10⁻⁹; masked anyway).
    public static let removedRho: Float = -20

    /// Writes the model's kept weights in the sparse layout, atomically.
    /// - Returns: the file's size in bytes.
    @discardableResult
    public static func save(_ model: Module, metadata: [String: String] = [:], to url: URL) throws -> Int {
        let layers = model.variationalLayers
        let sparseNames = sparseStateNames(model)
        var entries: [(String, SafetensorsPayload)] = []
        for (name, layer) in layers {
            let mask = layer.weightMask?.array ?? [Float](repeating: 1, count: layer.weight.mean.count)
            let kept = mask.indices.filter { mask[$0] != 0 }
            let (mean, rho) = (layer.weight.mean.array, layer.weight.rho.array)
            entries.append(("sparse.\(name).kept", .bytes(packBits(mask.map { $0 != 0 }))))
            entries.append(("sparse.\(name).mean", .float32(Tensor(shape: [kept.count], values: kept.map { mean[$0] }))))
            entries.append(("sparse.\(name).rho", .float32(Tensor(shape: [kept.count], values: kept.map { rho[$0] }))))
        }
        for (name, tensor) in model.stateDict where !sparseNames.contains(name) {
            entries.append(("dense.\(name)", .float32(tensor)))
        }
        var metadata = metadata
        metadata["layout"] = layout
        try saveSafetensors(entries: entries, metadata: metadata, to: url)
        let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int
        return size ?? 0
    }

    /// Restores a net written by `save` into `model` (same architecture): kept μ and ρ, the masks,
    /// and every dense tensor. Nothing in the model changes unless the whole file fits.
    /// - Returns: the file's metadata.
    @discardableResult
    public static func load(from url: URL, into model: Module) throws -> [String: String] {
        let (tensors, metadata) = try loadSafetensors(from: url)
        guard metadata["layout"] == layout else { throw PrunedCheckpointError.notSparseLayout(path: url.path) }
        func entry(_ name: String) throws -> Tensor {
            guard let tensor = tensors[name] else { throw PrunedCheckpointError.mismatch(path: url.path, name: name, reason: "is missing") }
            return tensor
        }
        // Decode and check everything first, then write into the model.
        var layerStates: [(VariationalLayer, mask: [Bool], mean: [Float], rho: [Float])] = []
        for (name, layer) in model.variationalLayers {
            let n = layer.weight.mean.count
            let bits = try entry("sparse.\(name).kept").array
            guard bits.count == (n + 7) / 8 else {
                throw PrunedCheckpointError.mismatch(path: url.path, name: "sparse.\(name).kept",
                                                     reason: "has \(bits.count) bytes, the layer's \(n) weights need \((n + 7) / 8)")
            }
            let mask = unpackBits(bits.map { UInt8($0) }, count: n)
            let (mean, rho) = (try entry("sparse.\(name).mean").array, try entry("sparse.\(name).rho").array)
            let kept = mask.filter { $0 }.count
            guard mean.count == kept, rho.count == kept else {
                throw PrunedCheckpointError.mismatch(path: url.path, name: "sparse.\(name)",
                                                     reason: "stores \(mean.count) μ and \(rho.count) ρ values for \(kept) kept weights")
            }
            layerStates.append((layer, mask, mean, rho))
        }
        var dense: [String: Tensor] = [:]
        for (name, tensor) in tensors where name.hasPrefix("dense.") { dense[String(name.dropFirst(6))] = tensor }
        let sparseNames = sparseStateNames(model)
        for (name, tensor) in model.stateDict where !sparseNames.contains(name) {
            guard let saved = dense[name] else {
                throw PrunedCheckpointError.mismatch(path: url.path, name: "dense.\(name)", reason: "is missing")
            }
            guard saved.shape == tensor.shape else {
                throw PrunedCheckpointError.mismatch(path: url.path, name: "dense.\(name)",
                                                     reason: "has shape \(saved.shape), the model needs \(tensor.shape)")
            }
        }
        removePruningMasks(model)
        try model.load(stateDict: dense, strict: false)
        for (layer, mask, mean, rho) in layerStates {
            let (fullMean, fullRho) = scatter(mean, rho, mask: mask)
            layer.weight.mean.assign(Tensor(shape: layer.weight.shape, values: fullMean))
            layer.weight.rho.assign(Tensor(shape: layer.weight.shape, values: fullRho))
            layer.weightMask = Tensor(shape: layer.weight.shape, values: mask.map { $0 ? 1 : 0 })
        }
        return metadata
    }

    /// The state-dict names the sparse entries replace (μ and ρ of every Bayesian layer's weights).
    static func sparseStateNames(_ model: Module) -> Set<String> {
        Set(model.variationalLayers.flatMap { name, _ in
            ["weight.mean", "weight.rho", "weightMask"].map { name.isEmpty ? $0 : "\(name).\($0)" }
        })
    }

    /// Kept values back at their positions; removed weights get μ = 0, ρ = `removedRho`.
    static func scatter(_ mean: [Float], _ rho: [Float], mask: [Bool]) -> ([Float], [Float]) {
        var fullMean = [Float](repeating: 0, count: mask.count)
        var fullRho = [Float](repeating: removedRho, count: mask.count)
        var next = 0
        for i in mask.indices where mask[i] {
            (fullMean[i], fullRho[i]) = (mean[next], rho[next])
            next += 1
        }
        return (fullMean, fullRho)
    }
}

/// Bit i of the result is flags[i]: bit i % 8 of byte i / 8.
func packBits(_ flags: [Bool]) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: (flags.count + 7) / 8)
    for i in flags.indices where flags[i] { bytes[i / 8] |= 1 << UInt8(i % 8) }
    return bytes
}

/// The first `count` bits of `bytes`, as `packBits` lays them out.
func unpackBits(_ bytes: [UInt8], count: Int) -> [Bool] {
    (0..<count).map { bytes[$0 / 8] & (1 << UInt8($0 % 8)) != 0 }
}
