// Elementwise.swift — arithmetic with broadcasting and the unary functions, each with its
// derivative written right below the forward rule.

import Foundation

// MARK: - Kernels

/// out[i] = f(x[i]) over contiguous values.
@inline(__always)
func map(_ x: Tensor, _ f: (Float) -> Float) -> Tensor {
    let out = Tensor(uninitializedShape: x.shape)
    let (src, dst) = (x.data, out.data)
    for i in 0..<x.count { dst[i] = f(src[i]) }
    return out
}

/// out[i] = f(x[i], y[i]) for tensors of equal shape.
@inline(__always)
func zipMap(_ x: Tensor, _ y: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
    precondition(x.shape == y.shape, "shapes \(x.shape) and \(y.shape) differ")
    let out = Tensor(uninitializedShape: x.shape)
    let (a, b, dst) = (x.data, y.data, out.data)
    for i in 0..<x.count { dst[i] = f(a[i], b[i]) }
    return out
}

// MARK: - Binary arithmetic (broadcasting)

public func + (a: Tensor, b: Tensor) -> Tensor {
    let out = broadcastingMap(a, b, +)
    // d(a + b) = da + db; broadcast axes sum back to each operand's shape.
    return out.recordingGradient(of: [a, b]) { g in [g.summed(toShape: a.shape), g.summed(toShape: b.shape)] }
}

public func - (a: Tensor, b: Tensor) -> Tensor {
    let out = broadcastingMap(a, b, -)
    // d(a - b) = da - db
    return out.recordingGradient(of: [a, b]) { g in [g.summed(toShape: a.shape), (-g).summed(toShape: b.shape)] }
}

public func * (a: Tensor, b: Tensor) -> Tensor {
    let out = broadcastingMap(a, b, *)
    let (av, bv) = (a.detached(), b.detached())
    // d(a b) = b da + a db
    return out.recordingGradient(of: [a, b]) { g in
        [a.needsGradient ? (g * bv).summed(toShape: a.shape) : nil,
         b.needsGradient ? (g * av).summed(toShape: b.shape) : nil]
    }
}

public func / (a: Tensor, b: Tensor) -> Tensor {
    let out = broadcastingMap(a, b, /)
    let (av, bv) = (a.detached(), b.detached())
    // d(a / b) = da / b − a db / b²
    return out.recordingGradient(of: [a, b]) { g in
        [a.needsGradient ? (g / bv).summed(toShape: a.shape) : nil,
         b.needsGradient ? (-(g * av) / (bv * bv)).summed(toShape: b.shape) : nil]
    }
}

public prefix func - (x: Tensor) -> Tensor {
    let out = map(x) { -$0 }
    return out.recordingGradient(of: [x]) { g in [-g] }
}

// Scalars on either side.
public func + (a: Tensor, s: Float) -> Tensor {
    let out = map(a) { $0 + s }
    return out.recordingGradient(of: [a]) { g in [g] }
}
public func + (s: Float, a: Tensor) -> Tensor { a + s }
public func - (a: Tensor, s: Float) -> Tensor { a + (-s) }
public func - (s: Float, a: Tensor) -> Tensor { -a + s }
public func * (a: Tensor, s: Float) -> Tensor {
    let out = map(a) { $0 * s }
    return out.recordingGradient(of: [a]) { g in [g * s] }
}
public func * (s: Float, a: Tensor) -> Tensor { a * s }
public func / (a: Tensor, s: Float) -> Tensor { a * (1 / s) }
public func / (s: Float, a: Tensor) -> Tensor {
    let out = map(a) { s / $0 }
    let av = a.detached()
    // d(s / a) = −s / a² da
    return out.recordingGradient(of: [a]) { g in [zipMap(g, av) { gi, ai in -gi * s / (ai * ai) }] }
}

// MARK: - Unary functions

public func exp(_ x: Tensor) -> Tensor {
    let out = mapElements(x, ExpFunction.self)
    let y = out.detached()
    // d exp(x) = exp(x) dx
    return out.recordingGradient(of: [x]) { g in [g * y] }
}

public func log(_ x: Tensor) -> Tensor {
    let out = mapElements(x, LogFunction.self)
    let xv = x.detached()
    // d log(x) = dx / x
    return out.recordingGradient(of: [x]) { g in [g / xv] }
}

public func log1p(_ x: Tensor) -> Tensor {
    let out = mapElements(x, Log1pFunction.self)
    let xv = x.detached()
    // d log(1 + x) = dx / (1 + x)
    return out.recordingGradient(of: [x]) { g in [zipMap(g, xv) { $0 / (1 + $1) }] }
}

/// softplus(x) = log(1 + eˣ), computed as max(x, 0) + log1p(e^(−|x|)) so that neither
/// branch overflows: for x = 100 the naive form computes log(inf).
@inline(__always)
public func softplus(_ x: Float) -> Float { Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x))) }

/// σ(x) = 1 / (1 + e^(−x)), evaluated on the side where the exponential cannot overflow.
@inline(__always)
public func sigmoid(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
    let e = Foundation.exp(x)
    return e / (1 + e)
}

public func softplus(_ x: Tensor) -> Tensor {
    let out = mapElements(x, SoftplusFunction.self)
    let xv = x.detached()
    // d softplus(x) = σ(x) dx
    return out.recordingGradient(of: [x]) { g in [zipMap(g, xv) { $0 * fastSigmoid($1) }] }
}

public func sigmoid(_ x: Tensor) -> Tensor {
    let out = mapElements(x, SigmoidFunction.self)
    let y = out.detached()
    // d σ(x) = σ(x)(1 − σ(x)) dx
    return out.recordingGradient(of: [x]) { g in [zipMap(g, y) { $0 * $1 * (1 - $1) }] }
}

public func tanh(_ x: Tensor) -> Tensor {
    let out = map(x) { Foundation.tanh($0) }
    let y = out.detached()
    // d tanh(x) = (1 − tanh²(x)) dx
    return out.recordingGradient(of: [x]) { g in [zipMap(g, y) { $0 * (1 - $1 * $1) }] }
}

public func relu(_ x: Tensor) -> Tensor {
    let out = map(x) { Swift.max($0, 0) }
    let xv = x.detached()
    // d relu(x) = 1[x > 0] dx
    return out.recordingGradient(of: [x]) { g in [zipMap(g, xv) { $1 > 0 ? $0 : 0 }] }
}

public func leakyRelu(_ x: Tensor, slope: Float = 0.01) -> Tensor {
    let out = map(x) { $0 > 0 ? $0 : slope * $0 }
    let xv = x.detached()
    // d leaky(x) = (1 if x > 0 else slope) dx
    return out.recordingGradient(of: [x]) { g in [zipMap(g, xv) { $1 > 0 ? $0 : slope * $0 }] }
}

public func sqrt(_ x: Tensor) -> Tensor {
    let out = map(x) { Foundation.sqrt($0) }
    let y = out.detached()
    // d √x = dx / (2 √x)
    return out.recordingGradient(of: [x]) { g in [zipMap(g, y) { $0 / (2 * $1) }] }
}

public func square(_ x: Tensor) -> Tensor {
    let out = map(x) { $0 * $0 }
    let xv = x.detached()
    // d x² = 2x dx
    return out.recordingGradient(of: [x]) { g in [zipMap(g, xv) { 2 * $0 * $1 }] }
}

public func abs(_ x: Tensor) -> Tensor {
    let out = map(x) { Swift.abs($0) }
    let xv = x.detached()
    // d |x| = sign(x) dx (0 at 0)
    return out.recordingGradient(of: [x]) { g in [zipMap(g, xv) { $1 > 0 ? $0 : ($1 < 0 ? -$0 : 0) }] }
}

public func pow(_ x: Tensor, _ p: Float) -> Tensor {
    let out = map(x) { Foundation.pow($0, p) }
    let xv = x.detached()
    // d xᵖ = p xᵖ⁻¹ dx
    return out.recordingGradient(of: [x]) { g in [zipMap(g, xv) { $0 * p * Foundation.pow($1, p - 1) }] }
}

/// Clamps values into [low, high]; the gradient passes only where the value was inside.
public func clamp(_ x: Tensor, min low: Float, max high: Float) -> Tensor {
    let out = map(x) { Swift.min(Swift.max($0, low), high) }
    let xv = x.detached()
    return out.recordingGradient(of: [x]) { g in [zipMap(g, xv) { ($1 >= low && $1 <= high) ? $0 : 0 }] }
}
