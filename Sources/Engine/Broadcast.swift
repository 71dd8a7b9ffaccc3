// Broadcast.swift — NumPy broadcasting for binary ops, and its adjoint, summing to a shape.
//
// Both use one iteration plan: the output index space is split into dimensions, each operand
// gets a stride per dimension (0 where it is broadcast), and adjacent dimensions that every
// operand walks the same way are merged. After merging, the innermost dimension is a plain
// contiguous run or a repeated scalar, which the kernels below handle without index math.

/// The shape two operands broadcast to (NumPy rules: align right, 1 stretches).
public func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int] {
    let rank = max(a.count, b.count)
    let pa = [Int](repeating: 1, count: rank - a.count) + a
    let pb = [Int](repeating: 1, count: rank - b.count) + b
    return (0..<rank).map { axis in
        let (x, y) = (pa[axis], pb[axis])
        precondition(x == y || x == 1 || y == 1, "shapes \(a) and \(b) do not broadcast")
        return x == 1 ? y : x
    }
}

/// Strides to read an operand of shape `shape` as if it had shape `target` (0 on broadcast axes).
func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
    let padded = [Int](repeating: 1, count: target.count - shape.count) + shape
    let strides = contiguousStrides(padded)
    return (0..<target.count).map { padded[$0] == 1 && target[$0] != 1 ? 0 : (padded[$0] == 1 ? 0 : strides[$0]) }
}

/// Dimensions and per-operand strides after merging dimensions that can be walked as one.
struct IterationPlan {
    var dims: [Int]
    var strides: [[Int]]  // one array per operand

    init(shape: [Int], operandStrides: [[Int]]) {
        var dims: [Int] = []
        var strides: [[Int]] = operandStrides.map { _ in [] }
        for axis in 0..<shape.count where shape[axis] != 1 {
            if let last = dims.indices.last,
               operandStrides.indices.allSatisfy({ strides[$0][last] == operandStrides[$0][axis] * shape[axis] }) {
                dims[last] *= shape[axis]
                for op in operandStrides.indices { strides[op][last] = operandStrides[op][axis] }
            } else {
                dims.append(shape[axis])
                for op in operandStrides.indices { strides[op].append(operandStrides[op][axis]) }
            }
        }
        if dims.isEmpty { dims = [1]; strides = operandStrides.map { _ in [0] } }
        self.dims = dims
        self.strides = strides
    }

    /// Calls `body(offsets, innerCount, innerStrides)` once per innermost run.
    @inline(__always)
    func forEachRun(_ body: ([Int], Int, [Int]) -> Void) {
        let inner = dims.count - 1
        let innerStrides = strides.map { $0[inner] }
        var index = [Int](repeating: 0, count: inner)
        var offsets = [Int](repeating: 0, count: strides.count)
        let outerCount = dims[..<inner].reduce(1, *)
        for _ in 0..<outerCount {
            body(offsets, dims[inner], innerStrides)
            // Advance the odometer over the outer dimensions.
            var axis = inner - 1
            while axis >= 0 {
                index[axis] += 1
                for op in offsets.indices { offsets[op] += strides[op][axis] }
                if index[axis] < dims[axis] { break }
                for op in offsets.indices { offsets[op] -= strides[op][axis] * dims[axis] }
                index[axis] = 0
                axis -= 1
            }
        }
    }
}

/// out[i] = f(a[i], b[i]) with broadcasting.
@inline(__always)
func broadcastingMap(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
    if a.shape == b.shape {
        let out = Tensor(uninitializedShape: a.shape)
        let (x, y, o) = (a.data, b.data, out.data)
        for i in 0..<out.count { o[i] = f(x[i], y[i]) }
        return out
    }
    let shape = broadcastShape(a.shape, b.shape)
    let out = Tensor(uninitializedShape: shape)
    let plan = IterationPlan(shape: shape, operandStrides: [contiguousStrides(shape),
                                                            broadcastStrides(a.shape, to: shape),
                                                            broadcastStrides(b.shape, to: shape)])
    let (x, y, o) = (a.data, b.data, out.data)
    plan.forEachRun { offsets, n, strides in
        let (po, px, py) = (o + offsets[0], x + offsets[1], y + offsets[2])
        switch (strides[1], strides[2]) {
        case (1, 1): for i in 0..<n { po[i] = f(px[i], py[i]) }
        case (1, 0): let s = py[0]; for i in 0..<n { po[i] = f(px[i], s) }
        case (0, 1): let s = px[0]; for i in 0..<n { po[i] = f(s, py[i]) }
        default:
            let (sx, sy) = (strides[1], strides[2])
            for i in 0..<n { po[i] = f(px[i * sx], py[i * sy]) }
        }
    }
    return out
}

extension Tensor {
    /// Sums this tensor down to `target`, the adjoint of broadcasting `target` up to `shape`.
    public func summed(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        let out = Tensor(zeros: target)
        let plan = IterationPlan(shape: shape, operandStrides: [contiguousStrides(shape),
                                                                broadcastStrides(target, to: shape)])
        let (x, o) = (data, out.data)
        plan.forEachRun { offsets, n, strides in
            let (px, po) = (x + offsets[0], o + offsets[1])
            if strides[1] == 0 {
                var total: Float = 0
                for i in 0..<n { total += px[i] }
                po[0] += total
            } else {
                for i in 0..<n { po[i] += px[i] }
            }
        }
        return out
    }
}

extension Tensor {
    /// This tensor's values repeated along broadcast axes to fill `target`; the adjoint of
    /// `summed(toShape:)`.
    public func broadcasted(to target: [Int]) -> Tensor {
        if shape == target { return self }
        precondition(broadcastShape(shape, target) == target, "\(shape) does not broadcast to \(target)")
        let out = Tensor(uninitializedShape: target)
        let plan = IterationPlan(shape: target, operandStrides: [contiguousStrides(target),
                                                                 broadcastStrides(shape, to: target)])
        let (x, o) = (data, out.data)
        plan.forEachRun { offsets, n, strides in
            let (po, px) = (o + offsets[0], x + offsets[1])
            if strides[1] == 0 {
                po.update(repeating: px[0], count: n)
            } else {
                po.update(from: px, count: n)
            }
        }
        let input = self
        // d broadcast(x) = Σ over the repeated axes.
        return out.recordingGradient(of: [input]) { g in [g.summed(toShape: input.shape)] }
    }
}
