// MatMul.swift — matrix products through OpenBLAS (cblas_sgemm), and the affine map of a
// fully connected layer.

import CBLAS

/// C[M×N] = alpha · op(A) · op(B) + beta · C, row-major, op = transpose when asked.
/// A thin, named wrapper so that every GEMM in the engine reads the same way.
@inline(__always)
public func gemm(transposeA: Bool = false, transposeB: Bool = false,
                 m: Int, n: Int, k: Int, alpha: Float = 1,
                 a: UnsafePointer<Float>, lda: Int? = nil,
                 b: UnsafePointer<Float>, ldb: Int? = nil,
                 beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil) {
    if m == 0 || n == 0 { return }
    _ = blasKernelSetChange              // the kernel choice is made before the first GEMM
    let lda = lda ?? (transposeA ? m : k)
    let ldb = ldb ?? (transposeB ? k : n)
    let ldc = ldc ?? n
    cblas_sgemm(CblasRowMajor,
                transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// The same product as `gemm`, split over the cores: each worker runs a single-threaded GEMM on
/// its block of rows of C (or of columns, when C has few rows). Every element of C is computed by
/// one GEMM over the full k, so the result does not depend on the split. Running OpenBLAS on our
/// own workers (not its thread pool) also gives every GEMM the engine's flush-to-zero setting.
public func parallelGEMM(transposeA: Bool = false, transposeB: Bool = false,
                         m: Int, n: Int, k: Int, alpha: Float = 1,
                         a: UnsafePointer<Float>, lda: Int? = nil,
                         b: UnsafePointer<Float>, ldb: Int? = nil,
                         beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil) {
    let lda = lda ?? (transposeA ? m : k)
    let ldb = ldb ?? (transposeB ? k : n)
    let ldc = ldc ?? n
    if m >= n {
        // Rows i of op(A) start at A + i·lda, or at A + i when A enters transposed.
        parallelFor(m, costPerItem: 2 * n * k) { rows in
            gemm(transposeA: transposeA, transposeB: transposeB, m: rows.count, n: n, k: k, alpha: alpha,
                 a: a + rows.lowerBound * (transposeA ? 1 : lda), lda: lda, b: b, ldb: ldb,
                 beta: beta, c: c + rows.lowerBound * ldc, ldc: ldc)
        }
    } else {
        // Columns j of op(B) start at B + j, or at B + j·ldb when B enters transposed.
        parallelFor(n, costPerItem: 2 * m * k) { columns in
            gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: columns.count, k: k, alpha: alpha,
                 a: a, lda: lda, b: b + columns.lowerBound * (transposeB ? ldb : 1), ldb: ldb,
                 beta: beta, c: c + columns.lowerBound, ldc: ldc)
        }
    }
}

/// Matrix product of 2-D tensors: [M, K] · [K, N] → [M, N], with optional transposes.
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    precondition(a.rank == 2 && b.rank == 2, "matmul needs matrices, got \(a.shape) and \(b.shape)")
    let (m, k) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
    let (k2, n) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
    precondition(k == k2, "matmul inner dimensions differ: \(a.shape) · \(b.shape)")
    let out = Tensor(uninitializedShape: [m, n])
    parallelGEMM(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a.data, b: b.data, c: out.data)
    let (av, bv) = (a.detached(), b.detached())
    // C = A·B ⇒ dA = dC·Bᵀ, dB = Aᵀ·dC (transposes carried through when A or B enter transposed).
    return out.recordingGradient(of: [a, b]) { g in
        var da: Tensor? = nil, db: Tensor? = nil
        if a.needsGradient {
            da = transposeA ? matmul(bv, g, transposeA: transposeB, transposeB: true)
                            : matmul(g, bv, transposeB: !transposeB)
        }
        if b.needsGradient {
            db = transposeB ? matmul(g, av, transposeA: true, transposeB: transposeA)
                            : matmul(av, g, transposeA: !transposeA)
        }
        return [da, db]
    }
}

/// The fully connected layer's map y = x Wᵀ + b, with x [N, in], W [out, in], b [out].
/// Fused so that the bias is added in the GEMM's output pass and the backward runs three GEMMs.
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
    precondition(x.rank == 2 && weight.rank == 2 && x.shape[1] == weight.shape[1],
                 "linear: input \(x.shape) against weight \(weight.shape)")
    let (n, inFeatures, outFeatures) = (x.shape[0], x.shape[1], weight.shape[0])
    let out = Tensor(uninitializedShape: [n, outFeatures])
    var beta: Float = 0
    if let bias {
        precondition(bias.shape == [outFeatures], "linear: bias \(bias.shape) for \(outFeatures) outputs")
        for row in 0..<n { (out.data + row * outFeatures).update(from: bias.data, count: outFeatures) }
        beta = 1
    }
    parallelGEMM(transposeB: true, m: n, n: outFeatures, k: inFeatures, a: x.data, b: weight.data, beta: beta, c: out.data)
    let (xv, wv) = (x.detached(), weight.detached())
    let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    // y = x Wᵀ + b ⇒ dx = dy W, dW = dyᵀ x, db = Σ_rows dy.
    return out.recordingGradient(of: inputs) { g in
        var grads: [Tensor?] = [nil, nil]
        if x.needsGradient {
            let dx = Tensor(uninitializedShape: x.shape)
            parallelGEMM(m: n, n: inFeatures, k: outFeatures, a: g.data, b: wv.data, c: dx.data)
            grads[0] = dx
        }
        if weight.needsGradient {
            let dw = Tensor(uninitializedShape: weight.shape)
            parallelGEMM(transposeA: true, m: outFeatures, n: inFeatures, k: n, a: g.data, b: xv.data, c: dw.data)
            grads[1] = dw
        }
        if let bias { grads.append(bias.needsGradient ? g.summed(toShape: [1, outFeatures]).reshaped([outFeatures]) : nil) }
        return grads
    }
}
