// VectorMath.swift — exp and log for 16 floats at a time.
//
// libm's expf/logf/log1pf are scalar calls; in element-wise kernels over millions of values
// (softplus of every ρ, the activations, softmax, the normal sampler) they dominate. These
// versions follow the classic Cephes single-precision algorithms — range reduction, then a
// short polynomial — with relative error around 2e-7 (a few float ulps), and compile to plain
// SIMD code. Tests compare them with libm over wide ranges.

import Foundation

public typealias Float16Lanes = SIMD16<Float>

/// eˣ. Inputs below −87.3 give 0 (no subnormals), above ln(Float.max) ≈ 88.72 give +∞; NaN stays NaN.
@inline(__always)
public func vectorExp(_ x: Float16Lanes) -> Float16Lanes {
    // eˣ = 2ⁿ · eʳ with n = round(x / ln 2), r = x − n ln 2 ∈ [−ln2/2, ln2/2];
    // ln 2 is split in two parts so that n·ln2 is subtracted without rounding error.
    // (Written with whole-vector operations only: per-lane helpers such as `.clamped`,
    // `.rounded` or generic int conversions compile to scalar loops.)
    let clamped = pointwiseMin(pointwiseMax(x, Float16Lanes(repeating: -87.3)), Float16Lanes(repeating: 88.75))
    // Rounding to nearest by the 1.5·2²³ trick: adding it pushes the fraction bits out, and the
    // low mantissa bits of the sum then hold n as an integer.
    let shifter = Float16Lanes(repeating: 12_582_912)
    let shifted = clamped * Float16Lanes(repeating: 1.442_695_04) + shifter
    let n = shifted - shifter
    let whole = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- SIMD16<Int32>(repeating: 0x4B40_0000)
    var r = clamped - n * Float16Lanes(repeating: 0.693_359_375)
    r = r + n * Float16Lanes(repeating: 2.121_944_4e-4)
    // eʳ ≈ 1 + r + r²·P(r), the Cephes expf polynomial.
    var p = Float16Lanes(repeating: 1.987_569_15e-4)
    p = p * r + Float16Lanes(repeating: 1.398_199_9e-3)
    p = p * r + Float16Lanes(repeating: 8.333_452e-3)
    p = p * r + Float16Lanes(repeating: 4.166_579_6e-2)
    p = p * r + Float16Lanes(repeating: 1.666_666_5e-1)
    p = p * r + Float16Lanes(repeating: 5e-1)
    let er = p * (r * r) + r + Float16Lanes(repeating: 1)
    // 2ⁿ by building float exponent bits directly, as 2^⌊n/2⌋ · 2^(n−⌊n/2⌋) so that n = 128
    // (x just below the overflow threshold) still has representable factors.
    let half = whole &>> SIMD16<Int32>(repeating: 1)
    let bias = SIMD16<Int32>(repeating: 127)
    let scaleA = unsafeBitCast((half &+ bias) &<< SIMD16<Int32>(repeating: 23), to: Float16Lanes.self)
    let scaleB = unsafeBitCast((whole &- half &+ bias) &<< SIMD16<Int32>(repeating: 23), to: Float16Lanes.self)
    var result = er * scaleA * scaleB
    result.replace(with: Float16Lanes(repeating: 0), where: x .< Float16Lanes(repeating: -87.3))
    // ln(Float.greatestFiniteMagnitude) = 88.72284
    result.replace(with: Float16Lanes(repeating: .infinity), where: x .> Float16Lanes(repeating: 88.722_84))
    result.replace(with: x, where: x .!= x)
    return result
}

/// ln x for x > 0 (0 gives −∞, negative values NaN; subnormal inputs are not handled exactly).
@inline(__always)
public func vectorLog(_ x: Float16Lanes) -> Float16Lanes {
    // x = m · 2ᵉ with m ∈ [√½, √2): ln x = e ln 2 + ln m, and ln m = ln(1 + f) by a polynomial in f.
    // Subtracting the bit pattern of √½ before splitting puts m in that interval without any
    // per-lane comparison: e = (bits − bits(√½)) >> 23, m = bits(√½) + low 23 bits of the difference.
    let sqrtHalfBits = SIMD16<Int32>(repeating: 0x3F35_04F3)
    let offset = unsafeBitCast(x, to: SIMD16<Int32>.self) &- sqrtHalfBits
    let e = offset &>> SIMD16<Int32>(repeating: 23)
    let m = unsafeBitCast((offset & SIMD16<Int32>(repeating: 0x007F_FFFF)) &+ sqrtHalfBits, to: Float16Lanes.self)
    // Integer → float through the 1.5·2²³ trick (exact for these small integers).
    let exponent = unsafeBitCast(e &+ SIMD16<Int32>(repeating: 0x4B40_0000), to: Float16Lanes.self)
        - Float16Lanes(repeating: 12_582_912)
    let f = m - Float16Lanes(repeating: 1)
    let z = f * f
    var p = Float16Lanes(repeating: 7.037_683_6e-2)
    p = p * f + Float16Lanes(repeating: -1.151_461_03e-1)
    p = p * f + Float16Lanes(repeating: 1.167_699_87e-1)
    p = p * f + Float16Lanes(repeating: -1.242_014_08e-1)
    p = p * f + Float16Lanes(repeating: 1.424_932_28e-1)
    p = p * f + Float16Lanes(repeating: -1.666_805_77e-1)
    p = p * f + Float16Lanes(repeating: 2.000_071_48e-1)
    p = p * f + Float16Lanes(repeating: -2.499_999_4e-1)
    p = p * f + Float16Lanes(repeating: 3.333_333_1e-1)
    var result = p * f * z
    result += exponent * Float16Lanes(repeating: -2.121_944_4e-4)
    result += z * Float16Lanes(repeating: -0.5)
    result = f + result + exponent * Float16Lanes(repeating: 0.693_359_375)
    // Special values: 0 → −∞, negative or NaN → NaN, +∞ → +∞.
    let zero = Float16Lanes(repeating: 0)
    result.replace(with: Float16Lanes(repeating: -.infinity), where: x .== zero)
    result.replace(with: Float16Lanes(repeating: .nan), where: .!(x .>= zero))
    result.replace(with: x, where: x .== Float16Lanes(repeating: .infinity))
    return result
}

/// ln(1 + y), accurate for small y too: with u = 1 + y (rounded), ln(1 + y) = ln(u) · y / (u − 1)
/// corrects the rounding of u (Goldberg 1991); where u rounds to 1, ln(1 + y) = y.
@inline(__always)
public func vectorLog1p(_ y: Float16Lanes) -> Float16Lanes {
    let u = y + Float16Lanes(repeating: 1)
    let shifted = u - Float16Lanes(repeating: 1)
    var result = vectorLog(u) * (y / shifted)
    result.replace(with: y, where: shifted .== Float16Lanes(repeating: 0))
    result.replace(with: u, where: u .== Float16Lanes(repeating: .infinity))
    return result
}

/// softplus(x) = max(x, 0) + ln(1 + e^(−|x|)): no overflow for large |x|.
@inline(__always)
public func vectorSoftplus(_ x: Float16Lanes) -> Float16Lanes {
    let zero = Float16Lanes(repeating: 0)
    let negativeMagnitude = pointwiseMin(x, zero - x)
    return pointwiseMax(x, zero) + vectorLog1p(vectorExp(negativeMagnitude))
}

/// σ(x) = 1 / (1 + e^(−x)).
@inline(__always)
public func vectorSigmoid(_ x: Float16Lanes) -> Float16Lanes {
    Float16Lanes(repeating: 1) / (Float16Lanes(repeating: 1) + vectorExp(Float16Lanes(repeating: 0) - x))
}

/// Applies a 16-lane function to `count` contiguous values (the tail through a padded vector).
@inline(__always)
func mapLanes(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, count: Int,
              _ f: (Float16Lanes) -> Float16Lanes) {
    var i = 0
    while i + 16 <= count {
        let v = UnsafeRawPointer(source + i).loadUnaligned(as: Float16Lanes.self)
        UnsafeMutableRawPointer(destination + i).storeBytes(of: f(v), as: Float16Lanes.self)
        i += 16
    }
    if i < count {
        var tail = Float16Lanes(repeating: 0)
        for j in 0..<(count - i) { tail[j] = source[i + j] }
        let result = f(tail)
        for j in 0..<(count - i) { destination[i + j] = result[j] }
    }
}

/// out[i] = f(x[i]) over a tensor, 16 lanes at a time.
@inline(__always)
func mapVector(_ x: Tensor, _ f: (Float16Lanes) -> Float16Lanes) -> Tensor {
    let out = Tensor(uninitializedShape: x.shape)
    mapLanes(x.data, out.data, count: x.count, f)
    return out
}
