// Random.swift — one seeded random stream per run.
//
// xoshiro256** (Blackman & Vigna 2018): 256 bits of state, fast, and good enough for Monte
// Carlo. The state is seeded from one 64-bit seed by SplitMix64, as its authors recommend.
// The same seed gives the same sequence on every machine, so a run is reproducible.

import Foundation

public final class RandomGenerator: RandomNumberGenerator {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64
    /// The seed this stream started from (recorded in results).
    public let seed: UInt64

    public init(seed: UInt64) {
        self.seed = seed
        var z = seed
        func splitMix() -> UInt64 {
            z &+= 0x9E37_79B9_7F4A_7C15
            var x = z
            x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
            x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
            return x ^ (x >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    @inline(__always)
    public func next() -> UInt64 {
        var state = (s0, s1, s2, s3)
        defer { (s0, s1, s2, s3) = state }
        return xoshiroNext(&state)
    }

    /// A new, independent stream derived from this one (for a data loader, a layer, …).
    public func split() -> RandomGenerator { RandomGenerator(seed: next()) }

    /// Uniform in [0, 1) with 24 random bits (every float32 step of that range).
    @inline(__always)
    public func uniform() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// Uniform in (0, 1]: safe to take the logarithm of.
    @inline(__always)
    public func uniformOpenZero() -> Float { Float((next() >> 40) + 1) * 0x1p-24 }

    /// A standard normal draw.
    public func normal() -> Float {
        var pair: (Float, Float) = (0, 0)
        withUnsafeMutablePointer(to: &pair) { $0.withMemoryRebound(to: Float.self, capacity: 2) { fillNormal($0, count: 2) } }
        return pair.0
    }

    /// Fills `count` values with independent N(mean, std²) draws by the Box–Muller transform:
    /// for U1 uniform on (0, 1] and θ uniform on a full turn, √(−2 ln U1)·(cos θ, sin θ) are two
    /// independent standard normals. Sixteen pairs at a time (`normalLanes`), so that the
    /// millions of noise values a Bayesian training step needs cost a few nanoseconds each.
    public func fillNormal(_ out: UnsafeMutablePointer<Float>, count: Int, mean: Float = 0, std: Float = 1) {
        // The stream runs on a local copy of the state, and the 32 words go through memory into
        // two vectors: inserting them lane by lane into SIMD values (and updating the class's
        // stored state word by word) spilled every vector to the stack, ~4 ns per value.
        var state = (s0, s1, s2, s3)
        defer { (s0, s1, s2, s3) = state }
        withUnsafeTemporaryAllocation(byteCount: 128, alignment: 64) { buffer in
            let words = buffer.baseAddress!.bindMemory(to: UInt32.self, capacity: 32)
            var i = 0
            while i < count {
                for lane in 0..<16 {
                    let word = xoshiroNext(&state)
                    words[lane] = UInt32(truncatingIfNeeded: word)
                    words[16 + lane] = UInt32(truncatingIfNeeded: word >> 32)
                }
                let raw = UnsafeRawPointer(words)
                var (first, second) = normalLanes(radiusBits: raw.load(as: SIMD16<UInt32>.self),
                                                  angleBits: raw.load(fromByteOffset: 64, as: SIMD16<UInt32>.self))
                first = first * SIMD16(repeating: std) + SIMD16(repeating: mean)
                second = second * SIMD16(repeating: std) + SIMD16(repeating: mean)
                let remaining = count - i
                if remaining >= 32 {
                    UnsafeMutableRawPointer(out + i).storeBytes(of: first, as: SIMD16<Float>.self)
                    UnsafeMutableRawPointer(out + i + 16).storeBytes(of: second, as: SIMD16<Float>.self)
                } else {
                    for lane in 0..<Swift.min(16, remaining) { out[i + lane] = first[lane] }
                    for lane in 0..<Swift.max(0, remaining - 16) { out[i + 16 + lane] = second[lane] }
                }
                i += 32
            }
        }
    }

    /// Fills `count` values uniform in [low, high).
    public func fillUniform(_ out: UnsafeMutablePointer<Float>, count: Int, low: Float = 0, high: Float = 1) {
        let width = high - low
        for i in 0..<count { out[i] = low + width * uniform() }
    }

    /// A uniformly random permutation of 0..<n (Fisher–Yates).
    public func permutation(_ n: Int) -> [Int] {
        var order = Array(0..<n)
        if n > 1 {
            for i in stride(from: n - 1, to: 0, by: -1) {
                let j = Int(next() % UInt64(i + 1))
                order.swapAt(i, j)
            }
        }
        return order
    }
}

/// One step of xoshiro256**: the output word, and the state advanced.
@inline(__always)
func xoshiroNext(_ s: inout (UInt64, UInt64, UInt64, UInt64)) -> UInt64 {
    let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
    let t = s.1 << 17
    s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
    s.2 ^= t
    s.3 = s.3 << 45 | s.3 >> 19
    return result
}

extension Tensor {
    /// Independent N(mean, std²) values.
    public static func randomNormal(_ shape: [Int], mean: Float = 0, std: Float = 1,
                                    generator: RandomGenerator, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        generator.fillNormal(t.data, count: t.count, mean: mean, std: std)
        t.requiresGrad = requiresGrad
        return t
    }

    /// Independent uniform values in [low, high).
    public static func randomUniform(_ shape: [Int], low: Float = 0, high: Float = 1,
                                     generator: RandomGenerator, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        generator.fillUniform(t.data, count: t.count, low: low, high: high)
        t.requiresGrad = requiresGrad
        return t
    }
}

/// Sixteen Box–Muller pairs from 32 random words.
///
/// The radius uses U1 = 1 − (23 random bits)·2⁻²³ ∈ (0, 1]. The angle is drawn as a quarter turn
/// q ∈ {0, 1, 2, 3} (two bits) plus r uniform in [−π/4, π/4) (23 bits): θ = q·π/2 + r is uniform
/// over a full turn, and cos/sin of r need only short polynomials on that small interval (the
/// Cephes sinf/cosf kernels); the quarter turn then rotates (cos r, sin r) exactly, by swapping
/// and negating. Every step is a whole-vector operation.
@inline(__always)
func normalLanes(radiusBits: SIMD16<UInt32>, angleBits: SIMD16<UInt32>) -> (SIMD16<Float>, SIMD16<Float>) {
    let one = SIMD16<Float>(repeating: 1)
    let exponentOfOne = SIMD16<UInt32>(repeating: 0x3F80_0000)
    let nine = SIMD16<UInt32>(repeating: 9)
    // [1, 2) from 23 mantissa bits, minus 1 → [0, 1).
    let u1 = one - (unsafeBitCast((radiusBits &>> nine) | exponentOfOne, to: SIMD16<Float>.self) - one)
    var logU1 = u1
    withUnsafeMutableBytes(of: &logU1) { lanes in               // u1 ∈ (0, 1]: no special cases
        let values = lanes.baseAddress!.assumingMemoryBound(to: Float.self)
        for lane in 0..<16 { values[lane] = logCore(values[lane]) }
    }
    let radius = (SIMD16<Float>(repeating: -2) * logU1).squareRoot()
    let fraction = unsafeBitCast((angleBits &>> nine) | exponentOfOne, to: SIMD16<Float>.self) - one
    let r = (fraction - SIMD16<Float>(repeating: 0.5)) * SIMD16<Float>(repeating: .pi / 2)
    let r2 = r * r
    var sine = SIMD16<Float>(repeating: -1.951_529_6e-4)
    sine = sine * r2 + SIMD16<Float>(repeating: 8.332_160_9e-3)
    sine = sine * r2 + SIMD16<Float>(repeating: -1.666_665_5e-1)
    sine = sine * r2 * r + r
    var cosine = SIMD16<Float>(repeating: 2.443_315_7e-5)
    cosine = cosine * r2 + SIMD16<Float>(repeating: -1.388_731_6e-3)
    cosine = cosine * r2 + SIMD16<Float>(repeating: 4.166_664_6e-2)
    cosine = cosine * r2 * r2 - SIMD16<Float>(repeating: 0.5) * r2 + one
    // Rotate by q quarter turns: q odd swaps (c, s) → (−s, c); q ≥ 2 negates both.
    let q = angleBits & SIMD16<UInt32>(repeating: 3)
    let swap = SIMD16<UInt32>(repeating: 0) &- (q & SIMD16<UInt32>(repeating: 1))      // all ones where q is odd
    let flip = (q & SIMD16<UInt32>(repeating: 2)) &<< SIMD16<UInt32>(repeating: 30)     // the sign bit where q ≥ 2
    let c = unsafeBitCast(cosine, to: SIMD16<UInt32>.self)
    let s = unsafeBitCast(sine, to: SIMD16<UInt32>.self)
    let signBit = SIMD16<UInt32>(repeating: 0x8000_0000)
    let x = ((c & ~swap) | ((s ^ signBit) & swap)) ^ flip
    let y = ((s & ~swap) | (c & swap)) ^ flip
    return (radius * unsafeBitCast(x, to: SIMD16<Float>.self), radius * unsafeBitCast(y, to: SIMD16<Float>.self))
}

extension RandomGenerator {
    /// The stream's 256-bit position (four words), to save in a checkpoint and restore so that a
    /// resumed run draws exactly the numbers an uninterrupted one would have.
    public var state: [UInt64] {
        get { [s0, s1, s2, s3] }
        set {
            precondition(newValue.count == 4, "a RandomGenerator state is four UInt64 words")
            (s0, s1, s2, s3) = (newValue[0], newValue[1], newValue[2], newValue[3])
        }
    }
}
