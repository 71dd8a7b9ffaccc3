// Shape.swift — ops that move values without changing them: flatten, permute, transpose,
// batch slicing and concatenation.

extension Tensor {
    /// [N, …] → [N, rest]: keeps the batch axis, flattens the others.
    public func flattenedBatch() -> Tensor { reshaped([shape.first ?? 1, -1]) }

    /// Reorders axes: out.shape[i] = shape[order[i]].
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(order.sorted() == Array(0..<rank), "permutation \(order) of rank \(rank)")
        let outShape = order.map { shape[$0] }
        let out = Tensor(uninitializedShape: outShape)
        let inStrides = contiguousStrides(shape)
        let plan = IterationPlan(shape: outShape, operandStrides: [contiguousStrides(outShape), order.map { inStrides[$0] }])
        let (src, dst) = (data, out.data)
        plan.forEachRun { offsets, n, strides in
            let (po, px, s) = (dst + offsets[0], src + offsets[1], strides[1])
            for i in 0..<n { po[i] = px[i * s] }
        }
        var inverse = [Int](repeating: 0, count: rank)
        for (i, axis) in order.enumerated() { inverse[axis] = i }
        // The gradient of a permutation is the inverse permutation.
        return out.recordingGradient(of: [self]) { g in [g.permuted(inverse)] }
    }

    /// Matrix transpose of a 2-D tensor.
    public func transposed() -> Tensor {
        precondition(rank == 2, "transposed() needs a matrix, got \(shape)")
        return permuted([1, 0])
    }

    /// Rows `range` along the first axis (a copy).
    public func slice(batch range: Range<Int>) -> Tensor {
        precondition(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0], "slice \(range) of \(shape)")
        let rowSize = count / Swift.max(shape[0], 1)
        var outShape = shape; outShape[0] = range.count
        let out = Tensor(uninitializedShape: outShape)
        out.data.update(from: data + range.lowerBound * rowSize, count: out.count)
        let fullShape = shape
        // d slice = the gradient placed back at its rows, zeros elsewhere.
        return out.recordingGradient(of: [self]) { g in
            let dx = Tensor(zeros: fullShape)
            (dx.data + range.lowerBound * rowSize).update(from: g.data, count: g.count)
            return [dx]
        }
    }
}

/// Joins tensors along `axis`; all other dimensions must match.
public func concatenate(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
    precondition(!tensors.isEmpty, "concatenate of nothing")
    let first = tensors[0]
    let axis = first.normalisedAxes([axis])[0]
    for t in tensors {
        precondition(t.rank == first.rank && (0..<t.rank).allSatisfy { $0 == axis || t.shape[$0] == first.shape[$0] },
                     "concatenate: \(t.shape) does not match \(first.shape) off axis \(axis)")
    }
    let outer = first.shape[..<axis].reduce(1, *)
    let inner = first.shape[(axis + 1)...].reduce(1, *)
    let sizes = tensors.map { $0.shape[axis] }
    var outShape = first.shape; outShape[axis] = sizes.reduce(0, +)
    let out = Tensor(uninitializedShape: outShape)
    let outRow = outShape[axis] * inner
    var offset = 0
    for (t, size) in zip(tensors, sizes) {
        for o in 0..<outer { (out.data + o * outRow + offset * inner).update(from: t.data + o * size * inner, count: size * inner) }
        offset += size
    }
    // d concat = the gradient cut back into the pieces.
    return out.recordingGradient(of: tensors) { g in
        var start = 0
        return zip(tensors, sizes).map { t, size in
            defer { start += size }
            guard t.needsGradient else { return nil }
            let piece = Tensor(uninitializedShape: t.shape)
            for o in 0..<outer { (piece.data + o * size * inner).update(from: g.data + o * outRow + start * inner, count: size * inner) }
            return piece
        }
    }
}

/// Stacks equally shaped tensors along a new first axis.
public func stack(_ tensors: [Tensor]) -> Tensor {
    concatenate(tensors.map { $0.reshaped([1] + $0.shape) }, axis: 0)
}
