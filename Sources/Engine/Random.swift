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
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
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
    /// for U1, U2 uniform, √(−2 ln U1)·(cos 2πU2, sin 2πU2) are two independent standard normals.
    public func fillNormal(_ out: UnsafeMutablePointer<Float>, count: Int, mean: Float = 0, std: Float = 1) {
        var i = 0
        while i < count {
            let radius = Foundation.sqrt(-2 * Foundation.log(uniformOpenZero()))
            let angle = 2 * Float.pi * uniform()
            out[i] = mean + std * radius * Foundation.cos(angle)
            if i + 1 < count { out[i + 1] = mean + std * radius * Foundation.sin(angle) }
            i += 2
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
