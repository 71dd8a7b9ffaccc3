// Tensor.swift — float32 storage and the Tensor type every other file builds on.
//
// Contract: a Tensor is a contiguous, row-major (NCHW for images) array of float32 values
// in 64-byte-aligned storage, plus what autograd needs (a gradient and the node that made it).
// Tensors never alias in surprising ways: ops return new tensors; `reshaped` shares storage
// (the layout is unchanged); everything else that moves values copies them explicitly.
//
// Shape legend used across the engine:
//   N batch, C channels, H×W spatial, K kernel size, F features, S Monte Carlo samples.

import Foundation
import CBLAS

/// Process-wide settings made once, before the first tensor is allocated: freed memory stays in the
/// process (see the CBLAS shim), OpenBLAS runs on the calling thread (see Parallel.swift) with the
/// kernels this processor can run (BLASCore.swift).
private let processSetup: Void = {
    engine_keep_freed_memory()
    _ = blasKernelSetChange
    blasRunsOnTheCallingThread
}()

/// Owned, 64-byte-aligned float32 buffer. Freed when the last tensor using it goes away.
public final class Storage: @unchecked Sendable {
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>

    public init(count: Int) {
        precondition(count >= 0, "negative storage size")
        // Every thread that makes tensors computes with subnormals flushed to zero (see the
        // CBLAS shim): setting the flag here reaches each such thread before its first kernel.
        engine_flush_subnormals_to_zero()
        _ = processSetup
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride,
                                                   alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }
}

public final class Tensor: CustomStringConvertible {
    /// Sizes of each dimension, outermost first.
    public let shape: [Int]
    /// The values; `count` elements, contiguous, row-major.
    public let storage: Storage
    /// A leaf that wants `grad` filled in by `backward()` (parameters).
    public var requiresGrad: Bool
    /// Accumulated gradient of the last `backward()` for leaves with `requiresGrad`.
    public var grad: Tensor?
    /// How this tensor was computed (nil for leaves and for tensors made without recording).
    var node: GradNode?

    // MARK: Initialisers

    /// A tensor over existing storage (shared, not copied).
    public init(shape: [Int], storage: Storage, requiresGrad: Bool = false) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        precondition(shape.reduce(1, *) == storage.count,
                     "shape \(shape) needs \(shape.reduce(1, *)) values, storage has \(storage.count)")
        self.shape = shape
        self.storage = storage
        self.requiresGrad = requiresGrad
    }

    /// Uninitialised values: for kernels that overwrite every element.
    public convenience init(uninitializedShape shape: [Int]) {
        self.init(shape: shape, storage: Storage(count: shape.reduce(1, *)))
    }

    /// Every element equal to `value`.
    public convenience init(shape: [Int], repeating value: Float, requiresGrad: Bool = false) {
        self.init(uninitializedShape: shape)
        self.data.update(repeating: value, count: count)
        self.requiresGrad = requiresGrad
    }

    /// Zeros of the given shape.
    public convenience init(zeros shape: [Int], requiresGrad: Bool = false) {
        self.init(shape: shape, repeating: 0, requiresGrad: requiresGrad)
    }

    /// Values copied from an array, row-major.
    public convenience init(shape: [Int], values: [Float], requiresGrad: Bool = false) {
        precondition(shape.reduce(1, *) == values.count,
                     "shape \(shape) needs \(shape.reduce(1, *)) values, got \(values.count)")
        self.init(uninitializedShape: shape)
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: values.count) }
        self.requiresGrad = requiresGrad
    }

    /// A rank-0 tensor holding one value.
    public convenience init(scalar: Float) {
        self.init(shape: [], values: [scalar])
    }

    // MARK: Views of the values

    public var count: Int { storage.count }
    public var rank: Int { shape.count }
    /// Raw pointer to the first value; valid while the tensor lives.
    public var data: UnsafeMutablePointer<Float> { storage.pointer }
    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: data, count: count) }
    /// All values as an array (a copy).
    public var array: [Float] { Array(buffer) }
    /// The single value of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "item of a tensor with \(count) elements")
        return data[0]
    }

    /// Same values and storage, a different shape of equal size; keeps the gradient path.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var newShape = newShape
        if let inferred = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != inferred }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0, "cannot infer dimension for \(newShape) from \(shape)")
            newShape[inferred] = count / known
        }
        let input = self
        let out = Tensor(shape: newShape, storage: storage)
        // d reshape(x) / dx: the gradient reshaped back.
        return out.recordingGradient(of: [input]) { g in [g.reshaped(input.shape)] }
    }

    /// A deep copy without gradient history.
    public func copy() -> Tensor {
        let out = Tensor(uninitializedShape: shape)
        out.data.update(from: data, count: count)
        return out
    }

    /// Copies values from `other` (same count) into this tensor's storage, in place.
    public func assign(_ other: Tensor) {
        precondition(other.count == count, "assign: \(other.shape) into \(shape)")
        data.update(from: other.data, count: count)
    }

    public var description: String {
        let preview = array.prefix(8).map { String(format: "%.4g", $0) }.joined(separator: ", ")
        return "Tensor(\(shape), [\(preview)\(count > 8 ? ", …" : "")])"
    }
}

/// Row-major strides of a shape.
public func contiguousStrides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var running = 1
    for axis in stride(from: shape.count - 1, through: 0, by: -1) {
        strides[axis] = running
        running *= shape[axis]
    }
    return strides
}
