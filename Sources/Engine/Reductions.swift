// Reductions.swift — sum, mean, max and log-sum-exp over axes.

import Foundation

extension Tensor {
    /// The shape after reducing `axes` (kept as size-1 dimensions).
    func reducedShape(_ axes: [Int]) -> [Int] {
        shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
    }

    func normalisedAxes(_ axes: [Int]) -> [Int] {
        axes.map { axis in
            let a = axis < 0 ? axis + rank : axis
            precondition(a >= 0 && a < rank, "axis \(axis) out of range for rank \(rank)")
            return a
        }
    }
}

/// Sum of all elements, a scalar.
public func sum(_ x: Tensor) -> Tensor {
    var total: Float = 0
    let p = x.data
    for i in 0..<x.count { total += p[i] }
    let out = Tensor(scalar: total)
    // d Σx = 1 · dx for every element.
    return out.recordingGradient(of: [x]) { g in [Tensor(shape: x.shape, repeating: g.item)] }
}

/// Sum over `axes`. `keepDims` keeps them as size-1 dimensions.
public func sum(_ x: Tensor, axes: [Int], keepDims: Bool = false) -> Tensor {
    let axes = x.normalisedAxes(axes)
    let kept = x.reducedShape(axes)
    let reduced = x.summed(toShape: kept)
    let finalShape = keepDims ? kept : kept.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
    let out = Tensor(shape: finalShape, storage: reduced.storage)
    // d Σ_axes x: the gradient broadcast back over the summed axes.
    return out.recordingGradient(of: [x]) { g in [g.reshaped(kept).broadcasted(to: x.shape)] }
}

/// Mean of all elements.
public func mean(_ x: Tensor) -> Tensor { sum(x) / Float(Swift.max(x.count, 1)) }

/// Mean over `axes`.
public func mean(_ x: Tensor, axes: [Int], keepDims: Bool = false) -> Tensor {
    let n = x.normalisedAxes(axes).map { x.shape[$0] }.reduce(1, *)
    return sum(x, axes: axes, keepDims: keepDims) / Float(n)
}

/// View of x as [outer, size, inner] around `axis`.
func splitAround(_ shape: [Int], axis: Int) -> (outer: Int, size: Int, inner: Int) {
    (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
}

/// Maximum along one axis (kept as size 1 if `keepDims`). The gradient goes to the first maximum.
public func max(_ x: Tensor, axis: Int, keepDims: Bool = false) -> Tensor {
    let axis = x.normalisedAxes([axis])[0]
    let (outer, size, inner) = splitAround(x.shape, axis: axis)
    precondition(size > 0, "max over an empty axis")
    var kept = x.shape; kept[axis] = 1
    let out = Tensor(uninitializedShape: keepDims ? kept : x.shape.enumerated().filter { $0.offset != axis }.map(\.element))
    var argmax = [Int](repeating: 0, count: outer * inner)
    let (src, dst) = (x.data, out.data)
    for o in 0..<outer {
        for i in 0..<inner {
            var best = src[o * size * inner + i], bestIndex = 0
            for k in 1..<size where src[(o * size + k) * inner + i] > best {
                best = src[(o * size + k) * inner + i]; bestIndex = k
            }
            dst[o * inner + i] = best
            argmax[o * inner + i] = bestIndex
        }
    }
    // d max(x) = dx at the arg-max, 0 elsewhere.
    return out.recordingGradient(of: [x]) { g in
        let dx = Tensor(zeros: x.shape)
        for o in 0..<outer { for i in 0..<inner { dx.data[(o * size + argmax[o * inner + i]) * inner + i] = g.data[o * inner + i] } }
        return [dx]
    }
}

/// log Σ exp(x) along `axis`, computed as m + log Σ exp(x − m) with m the maximum, so that
/// large logits do not overflow and very negative ones do not all underflow to log 0.
public func logSumExp(_ x: Tensor, axis: Int, keepDims: Bool = false) -> Tensor {
    let axis = x.normalisedAxes([axis])[0]
    let m = withoutGradient { max(x, axis: axis, keepDims: true) }
    let shifted = x - m
    let lse = log(sum(exp(shifted), axes: [axis], keepDims: true)) + m
    return keepDims ? lse : lse.reshaped(x.shape.enumerated().filter { $0.offset != axis }.map(\.element))
}
