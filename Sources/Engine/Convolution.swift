// Convolution.swift — 2-D convolution (cross-correlation, as in PyTorch): im2col + GEMM, and direct
// kernels for the skinny shapes.
//
// Contract: x [N, C, H, W], weight [OC, C, KH, KW], bias [OC] → y [N, OC, OH, OW], with
//   OH = ⌊(H + 2·padding − KH) / stride⌋ + 1 (OW likewise) and
//   y[n, oc, oy, ox] = bias[oc] + Σ_{c,i,j} weight[oc, c, i, j] · x[n, c, oy·stride − padding + i, ox·stride − padding + j],
// where x reads as 0 outside the image.
//
// How: im2col copies every receptive field of a chunk of B images into one column of a matrix
//   col [C·KH·KW, B·OH·OW],   col[(c, i, j), (b, oy, ox)] = x[n0 + b, c, oy·s − p + i, ox·s − p + j],
// and then the whole chunk is a single large GEMM, y = weight [OC, C·KH·KW] · col. Chunks of many
// images matter: the chapters' AlexNet has OH·OW = 4 or 16, so one image per GEMM would be tiny.
// That is the readable reference (`conv2dForwardByIm2col`, and the backward kernels' fallback).
// Direct kernels: where the GEMM would be skinny (few channels, short patches: LeNet, 3Conv3FC's
// first layers) and the output rows are at least 8 pixels long, stride-1 layers instead run a register-
// blocked direct convolution (16 columns × 6 channels per step) for the forward, the input
// gradient (the same kernel on dy with the kernel flipped) and, for rows over 16 pixels, the weight
// gradient. `bench` prints both forward paths side by side.
// Parallelism: the batch is cut into one share per core; each core runs im2col, a single-threaded
// GEMM and the scatter on its own images (rather than OpenBLAS-threaded GEMMs between im2col passes,
// where one core idles or spins while copies run). Chunk sizes depend only on the shapes and the
// core count, so results are bitwise reproducible for a given core count.
//
// The two convolutions of local reparameterization (one input, mean and variance weights) share
// their im2col and col2im in ConvolutionPair.swift.
//
// Shape legend: N batch, C input channels, OC output channels, H×W input, OH×OW output,
// KH×KW kernel, P = OH·OW output pixels per image, B images per chunk, CKK = C·KH·KW patch length.

/// The sizes of one convolution, checked once and shared by the forward and backward kernels.
struct ConvolutionGeometry {
    let batch, channels, height, width: Int
    let outChannels, kernelHeight, kernelWidth: Int
    let stride, padding: Int
    let outHeight, outWidth: Int

    /// Geometry of conv(input [N, C, H, W], weight [OC, C, KH, KW]).
    init(input: [Int], weight: [Int], stride: Int, padding: Int, caller: String = "conv2d") {
        precondition(input.count == 4, "\(caller): input must be [N, C, H, W], got \(input)")
        precondition(weight.count == 4, "\(caller): weight must be [OC, C, KH, KW], got \(weight)")
        precondition(input[1] == weight[1], "\(caller): input \(input) has \(input[1]) channels, weight \(weight) expects \(weight[1])")
        precondition(stride >= 1 && padding >= 0, "\(caller): stride \(stride) and padding \(padding)")
        (batch, channels, height, width) = (input[0], input[1], input[2], input[3])
        (outChannels, kernelHeight, kernelWidth) = (weight[0], weight[2], weight[3])
        (self.stride, self.padding) = (stride, padding)
        precondition(height + 2 * padding >= kernelHeight && width + 2 * padding >= kernelWidth,
                     "\(caller): kernel \(kernelHeight)×\(kernelWidth) larger than padded input \(input)")
        outHeight = (height + 2 * padding - kernelHeight) / stride + 1
        outWidth = (width + 2 * padding - kernelWidth) / stride + 1
    }

    var inputShape: [Int] { [batch, channels, height, width] }
    var outputShape: [Int] { [batch, outChannels, outHeight, outWidth] }
    var weightShape: [Int] { [outChannels, channels, kernelHeight, kernelWidth] }
    /// P: output pixels per image.
    var pixels: Int { outHeight * outWidth }
    /// CKK: length of one receptive field.
    var patch: Int { channels * kernelHeight * kernelWidth }
    /// Multiply-adds of the whole convolution (each is 2 flops).
    var multiplyAdds: Int { batch * outChannels * pixels * patch }

    /// B: images per GEMM. Enough columns for an efficient GEMM, while each core's col buffer
    /// stays around `chunkBudget` floats so it is still warm in cache when the GEMM reads it.
    var imagesPerChunk: Int {
        Swift.max(1, Swift.min(batch, chunkBudget / Swift.max(1, patch * pixels)))
    }

    /// The output columns ox whose tap j falls inside the image: ox·s − p + j ∈ [0, W).
    @inline(__always)
    func validColumns(tap j: Int) -> Range<Int> {
        validRange(tap: j, size: width, outSize: outWidth)
    }

    @inline(__always)
    func validRows(tap i: Int) -> Range<Int> {
        validRange(tap: i, size: height, outSize: outHeight)
    }

    @inline(__always)
    private func validRange(tap: Int, size: Int, outSize: Int) -> Range<Int> {
        // o·s − p + tap ≥ 0  ⇔  o ≥ ⌈(p − tap) / s⌉;   o·s − p + tap ≤ size − 1  ⇔  o ≤ ⌊(size − 1 + p − tap) / s⌋.
        let low = Swift.max(0, (padding - tap + stride - 1) / stride)
        let highInclusive = size - 1 + padding - tap
        let high = highInclusive < 0 ? 0 : Swift.min(outSize, highInclusive / stride + 1)
        return low ..< Swift.max(low, high)
    }
}

/// Floats of im2col buffer per core: 2 MB, one core's L2. Budgets from 2¹⁶ to 2²⁰ measured about
/// the same on the chapters' shapes; a fixed value keeps chunking, and so results, reproducible.
let chunkBudget = 1 << 19

// MARK: - im2col and col2im

/// col [CKK, B·P] ← the receptive fields of images `images` of x [N, C, H, W]:
///   col[(c, i, j), (b, oy, ox)] = x[images.lowerBound + b, c, oy·s − p + i, ox·s − p + j] (0 outside).
func im2col(_ x: UnsafePointer<Float>, _ g: ConvolutionGeometry, images: Range<Int>,
            into col: UnsafeMutablePointer<Float>) {
    if g.prefersSourceTable { return im2colBySourceTable(x, g, images: images, into: col) }
    let (chunk, pixels, rowLength) = (images.count, g.pixels, images.count * g.pixels)
    let (kh, kw, s, w, ow) = (g.kernelHeight, g.kernelWidth, g.stride, g.width, g.outWidth)
    for c in 0..<g.channels {
        for b in 0..<chunk {
            let plane = x + ((images.lowerBound + b) * g.channels + c) * g.height * w
            for i in 0..<kh {
                let rows = g.validRows(tap: i)
                for j in 0..<kw {
                    let columns = g.validColumns(tap: j)
                    let dst = col + ((c * kh + i) * kw + j) * rowLength + b * pixels
                    for oy in 0..<g.outHeight {
                        let out = dst + oy * ow
                        guard rows.contains(oy) else {
                            for ox in 0..<ow { out[ox] = 0 }
                            continue
                        }
                        let src = plane + (oy * s - g.padding + i) * w - g.padding + j
                        for ox in 0..<columns.lowerBound { out[ox] = 0 }
                        if s == 1 {
                            copyRun(from: src + columns.lowerBound, to: out + columns.lowerBound, count: columns.count)
                        } else {
                            for ox in columns { out[ox] = src[ox * s] }
                        }
                        for ox in columns.upperBound..<ow { out[ox] = 0 }
                    }
                }
            }
        }
    }
}

/// The adjoint of im2col: dx [N, C, H, W] (images `images`) += every column entry added back
/// to the pixel it was copied from:
///   dx[n0 + b, c, oy·s − p + i, ox·s − p + j] += col[(c, i, j), (b, oy, ox)].
func col2im(_ col: UnsafePointer<Float>, _ g: ConvolutionGeometry, images: Range<Int>,
            into dx: UnsafeMutablePointer<Float>) {
    if g.prefersSourceTable { return col2imBySourceTable(col, g, images: images, into: dx) }
    let (chunk, pixels, rowLength) = (images.count, g.pixels, images.count * g.pixels)
    let (kh, kw, s, w, ow) = (g.kernelHeight, g.kernelWidth, g.stride, g.width, g.outWidth)
    for c in 0..<g.channels {
        for b in 0..<chunk {
            let plane = dx + ((images.lowerBound + b) * g.channels + c) * g.height * w
            for i in 0..<kh {
                let rows = g.validRows(tap: i)
                for j in 0..<kw {
                    let columns = g.validColumns(tap: j)
                    let src = col + ((c * kh + i) * kw + j) * rowLength + b * pixels
                    for oy in rows {
                        let dst = plane + (oy * s - g.padding + i) * w - g.padding + j
                        let row = src + oy * ow
                        if s == 1 {
                            addRun(row + columns.lowerBound, into: dst + columns.lowerBound, count: columns.count)
                        } else {
                            for ox in columns { dst[ox * s] += row[ox] }
                        }
                    }
                }
            }
        }
    }
}

/// to[k] = from[k] for k < count, 8 values per vector move. The rows im2col copies are short (10
/// pixels in LeNet's conv2), where the compiler's loop (vector body, scalar tail, trip-count checks)
/// cost ~10 instructions per value.
@inline(__always)
func copyRun(from: UnsafePointer<Float>, to: UnsafeMutablePointer<Float>, count: Int) {
    var k = 0
    while k + 8 <= count {
        UnsafeMutableRawPointer(to + k).storeBytes(of: UnsafeRawPointer(from + k).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
        k += 8
    }
    while k < count { to[k] = from[k]; k += 1 }
}

/// into[k] += values[k] for k < count, 8 values per vector (the same sums as the scalar loop).
@inline(__always)
func addRun(_ values: UnsafePointer<Float>, into: UnsafeMutablePointer<Float>, count: Int) {
    var k = 0
    while k + 8 <= count {
        let sum = UnsafeRawPointer(into + k).loadUnaligned(as: SIMD8<Float>.self) + UnsafeRawPointer(values + k).loadUnaligned(as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(into + k).storeBytes(of: sum, as: SIMD8<Float>.self)
        k += 8
    }
    while k < count { into[k] += values[k]; k += 1 }
}

// MARK: - im2col and col2im for small output maps

// AlexNet's later layers have 4×4 and 2×2 output maps: the loops above then spend their time on
// per-tap bookkeeping (valid rows and columns, zero fills) for 4–16 copied values. Instead, a table
// built once per call maps every (tap, output pixel) to the offset of its source pixel in a copy of
// the input plane that ends with one extra 0 — the slot every padding position points to — so the
// copy is a branch-free gather (and col2im a scatter-add in the same order as the loops above, so
// the sums are the same to the bit).

extension ConvolutionGeometry {
    /// Whether im2col/col2im go through the source table: output maps of at most 64 pixels.
    var prefersSourceTable: Bool { pixels <= 64 }

    /// table[(i·KW + j)·P + oy·OW + ox] = (oy·s − p + i)·W + (ox·s − p + j), or H·W (the zero slot)
    /// where that pixel lies in the padding.
    func sourceTable() -> [Int32] {
        var table = [Int32](repeating: Int32(height * width), count: kernelHeight * kernelWidth * pixels)
        for i in 0..<kernelHeight {
            for j in 0..<kernelWidth {
                for oy in 0..<outHeight {
                    for ox in 0..<outWidth {
                        let (iy, ix) = (oy * stride - padding + i, ox * stride - padding + j)
                        guard iy >= 0 && iy < height && ix >= 0 && ix < width else { continue }
                        table[((i * kernelWidth + j) * outHeight + oy) * outWidth + ox] = Int32(iy * width + ix)
                    }
                }
            }
        }
        return table
    }
}

/// im2col (same contract) by gathering through `sourceTable`.
private func im2colBySourceTable(_ x: UnsafePointer<Float>, _ g: ConvolutionGeometry, images: Range<Int>,
                                 into col: UnsafeMutablePointer<Float>) {
    let (pixels, rowLength, taps, planeSize) = (g.pixels, images.count * g.pixels, g.kernelHeight * g.kernelWidth, g.height * g.width)
    let table = g.sourceTable()
    table.withUnsafeBufferPointer { table in
        withScratch(planeSize + 1) { padded in
            padded[planeSize] = 0
            for c in 0..<g.channels {
                for b in 0..<images.count {
                    padded.update(from: x + ((images.lowerBound + b) * g.channels + c) * planeSize, count: planeSize)
                    for tap in 0..<taps {
                        let (source, destination) = (table.baseAddress! + tap * pixels, col + (c * taps + tap) * rowLength + b * pixels)
                        for q in 0..<pixels { destination[q] = padded[Int(source[q])] }
                    }
                }
            }
        }
    }
}

/// col2im (same contract) by scatter-adding through `sourceTable`; what lands on the zero slot is dropped.
private func col2imBySourceTable(_ col: UnsafePointer<Float>, _ g: ConvolutionGeometry, images: Range<Int>,
                                 into dx: UnsafeMutablePointer<Float>) {
    let (pixels, rowLength, taps, planeSize) = (g.pixels, images.count * g.pixels, g.kernelHeight * g.kernelWidth, g.height * g.width)
    let table = g.sourceTable()
    table.withUnsafeBufferPointer { table in
        withScratch(planeSize + 1) { padded in
            for c in 0..<g.channels {
                for b in 0..<images.count {
                    let plane = dx + ((images.lowerBound + b) * g.channels + c) * planeSize
                    padded.update(from: plane, count: planeSize)
                    for tap in 0..<taps {
                        let (target, source) = (table.baseAddress! + tap * pixels, col + (c * taps + tap) * rowLength + b * pixels)
                        for q in 0..<pixels { padded[Int(target[q])] += source[q] }
                    }
                    plane.update(from: padded, count: planeSize)
                }
            }
        }
    }
}

// MARK: - Layout moves between [N, OC, P] and the GEMM's [OC, B·P]

/// y[n0 + b, oc, q] = matrix[oc, b·P + q] + bias[oc]: the GEMM's channel-major result back to NCHW.
func scatterChunk(_ matrix: UnsafePointer<Float>, bias: UnsafePointer<Float>?, _ g: ConvolutionGeometry,
                          images: Range<Int>, into y: UnsafeMutablePointer<Float>) {
    let (chunk, pixels, oc) = (images.count, g.pixels, g.outChannels)
    for b in 0..<chunk {
        for channel in 0..<oc {
            let src = matrix + channel * chunk * pixels + b * pixels
            let dst = y + ((images.lowerBound + b) * oc + channel) * pixels
            let shift = bias?[channel] ?? 0
            for q in 0..<pixels { dst[q] = src[q] + shift }
        }
    }
}

/// matrix[oc, b·P + q] = dy[n0 + b, oc, q]: NCHW gradient rows gathered channel-major for the GEMMs.
func gatherChunk(_ dy: UnsafePointer<Float>, _ g: ConvolutionGeometry, images: Range<Int>,
                         into matrix: UnsafeMutablePointer<Float>) {
    let (chunk, pixels, oc) = (images.count, g.pixels, g.outChannels)
    for b in 0..<chunk {
        for channel in 0..<oc {
            let (src, dst) = (dy + ((images.lowerBound + b) * oc + channel) * pixels, matrix + channel * chunk * pixels + b * pixels)
            for q in 0..<pixels { dst[q] = src[q] }
        }
    }
}

/// Scratch memory for one call, freed on return.
@inline(__always)
func withScratch<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
    let raw = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(1, count) * 4, alignment: 64)
    defer { raw.deallocate() }
    return body(raw.bindMemory(to: Float.self, capacity: Swift.max(1, count)))
}

// MARK: - Splitting the batch over the cores

/// Cuts the batch into one contiguous share of images per core and runs
/// `body(worker, share)` for each, in parallel, with OpenBLAS single-threaded inside: every core
/// does its own images' im2col, GEMM and scatter, so nothing waits on a serial step and each
/// core's data stays in its own cache. Small convolutions run on the calling thread.
/// Returns the number of shares (workers).
@discardableResult
func forEachBatchShare(_ g: ConvolutionGeometry, _ body: (_ worker: Int, _ images: Range<Int>) -> Void) -> Int {
    let workers = g.multiplyAdds < 1 << 20 ? 1 : Swift.min(kernelThreadCount, g.batch)
    if workers <= 1 {
        if g.batch > 0 { body(0, 0..<g.batch) }
        return 1
    }
    parallelFor(workers, costPerItem: .max / workers) { shares in
        for worker in shares { body(worker, g.batch * worker / workers ..< g.batch * (worker + 1) / workers) }
    }
    return workers
}

/// Calls `body(chunk)` for consecutive chunks of at most `g.imagesPerChunk` images of `images`.
@inline(__always)
func forEachChunk(of images: Range<Int>, _ g: ConvolutionGeometry, _ body: (Range<Int>) -> Void) {
    let size = g.imagesPerChunk
    for start in Swift.stride(from: images.lowerBound, to: images.upperBound, by: size) {
        body(start ..< Swift.min(images.upperBound, start + size))
    }
}

// MARK: - Kernels without autograd

/// The convolution's values, no gradient recording: y = conv(x, weight) + bias.
/// x [N, C, H, W], weight [OC, C, KH, KW], bias [OC] → [N, OC, OH, OW] (see the file header).
/// Stride-1 convolutions with output rows of 8 or more pixels (LeNet, 3Conv3FC's first two) take the
/// direct kernel below, where the GEMM would be too skinny (few output channels, short patches) to
/// pay for im2col; everything else goes through im2col + GEMM.
public func conv2dForward(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: Int) -> Tensor {
    let g = ConvolutionGeometry(input: x.shape, weight: weight.shape, stride: stride, padding: padding)
    if g.prefersDirectKernel { return directConvolutionForward(x, weight: weight, bias: bias, g) }
    return conv2dForwardByIm2col(x, weight: weight, bias: bias, stride: stride, padding: padding)
}

/// The readable reference path of `conv2dForward`, always im2col + GEMM (same contract).
public func conv2dForwardByIm2col(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: Int) -> Tensor {
    let g = ConvolutionGeometry(input: x.shape, weight: weight.shape, stride: stride, padding: padding)
    if let bias { precondition(bias.shape == [g.outChannels], "conv2d: bias \(bias.shape) for \(g.outChannels) channels") }
    let y = Tensor(uninitializedShape: g.outputShape)
    let chunk = g.imagesPerChunk
    forEachBatchShare(g) { _, share in
        withScratch(g.patch * chunk * g.pixels) { col in
            withScratch(g.outChannels * chunk * g.pixels) { product in
                forEachChunk(of: share, g) { images in
                    im2col(x.data, g, images: images, into: col)
                    // y_chunk [OC, B·P] = weight [OC, CKK] · col [CKK, B·P]
                    gemm(m: g.outChannels, n: images.count * g.pixels, k: g.patch, a: weight.data, b: col, c: product)
                    scatterChunk(product, bias: bias.map { UnsafePointer($0.data) }, g, images: images, into: y.data)
                }
            }
        }
    }
    return y
}

// MARK: - Direct kernel for few output channels (stride 1)

/// Output channels computed together by the direct kernel, one 16-lane accumulator each. 6, so that
/// the accumulators fit AVX2's 16 vector registers (6 × 2 halves, plus the input vector and the
/// broadcast weight): with 8 channels the compiled loop spilled accumulators to the stack on AVX2
/// machines (AMD EPYC, Zen 3). On AVX-512 that is 6 independent FMA chains, where 8 were measured
/// best and 4 left it latency-bound; 6 also matches LeNet's 6-channel layers exactly.
private let directChannelBlock = 6
/// Output columns per accumulator register (AVX-512: 16 floats).
private typealias DirectVector = SIMD16<Float>
private let directLanes = 16

extension ConvolutionGeometry {
    /// Whether the direct kernel is the faster forward. It computes 16 output columns at a time, so
    /// it wins when most of those lanes are real columns (OW = 10…32) and loses to im2col + GEMM on
    /// AlexNet's 4×4 and 2×2 maps. Measured with `bench` (single core, CPU time): LeNet 1→6 1.6 ms vs
    /// 5.7 ms, 6→16 2.6 vs 6.4, 3Conv3FC 3→32 29 vs 45, 32→64 62 vs 128; but 64→128 at 5×5 126 vs 57.
    var prefersDirectKernel: Bool {
        let lanes = directLanes * ((outWidth + directLanes - 1) / directLanes)
        // Fewer than 4 output channels would leave most of the channel block idle (LeNet's
        // 6→1 input gradient: 8.3 ms direct against 3–6 ms by col2im).
        return stride == 1 && kernelWidth <= 16 && 2 * outWidth >= lanes && outChannels >= 4
    }

    /// The geometry of the input gradient as a stride-1 "full" convolution of dy (see
    /// `conv2dBackwardInput`) when the direct kernel computes it, else nil.
    var directInputGradientGeometry: ConvolutionGeometry? {
        guard stride == 1 && kernelHeight == kernelWidth && padding <= kernelHeight - 1 else { return nil }
        let full = ConvolutionGeometry(input: outputShape, weight: [channels, outChannels, kernelHeight, kernelWidth],
                                       stride: 1, padding: kernelHeight - 1 - padding, caller: "conv2dBackwardInput")
        return full.prefersDirectKernel ? full : nil
    }

    /// Whether the direct weight gradient is the faster one. With a single 16-column tile per row
    /// its inner loop is too short to pay for reloading the lane sums of every tap: measured (one
    /// core) LeNet 1→6 2.3 ms vs 5–8 by im2col, 3Conv3FC 3→32 21 vs 40–50, but 6→16 (10-pixel rows)
    /// 9.3 vs 6–8 and 32→64 (15-pixel rows) 143 vs 65–130.
    var prefersDirectWeightGradient: Bool { prefersDirectKernel && outWidth > directLanes }
}

/// Direct convolution: y[n, oc, oy, ox..ox+15] = bias[oc] + Σ_{c,i,j} w[oc, c, i, j] · x[n, c, oy + i − p, ox + j − p ..]
/// computed 16 output columns × 6 output channels at a time in registers; each input vector load
/// feeds 6 fused multiply-adds (the weights are broadcast from memory inside the FMA). Per image, the input is first copied into a zero-bordered plane
/// xp [C, H + 2p, Wp] (Wp = 16·⌈OW/16⌉ + KW − 1) so the inner loop has no bounds checks, and the
/// weights are repacked once as wp [⌈OC/6⌉, C, KH, KW, 6] so the 6 channels' taps are adjacent.
func directConvolutionForward(_ x: Tensor, weight: Tensor, bias: Tensor?, _ g: ConvolutionGeometry) -> Tensor {
    if let bias { precondition(bias.shape == [g.outChannels], "conv2d: bias \(bias.shape) for \(g.outChannels) channels") }
    let y = Tensor(uninitializedShape: g.outputShape)
    let (kh, kw, c, oc, p) = (g.kernelHeight, g.kernelWidth, g.channels, g.outChannels, g.padding)
    let blocks = (oc + directChannelBlock - 1) / directChannelBlock
    let tiles = (g.outWidth + directLanes - 1) / directLanes
    let (paddedHeight, paddedWidth) = (g.height + 2 * p, tiles * directLanes + kw - 1)
    let planeSize = paddedHeight * paddedWidth
    withScratch(blocks * c * kh * kw * directChannelBlock) { packed in
        // wp[block, c, i, j, k] = w[block·6 + k, c, i, j] (0 for the padding channels).
        let w = weight.data
        for block in 0..<blocks {
            for tap in 0..<(c * kh * kw) {
                for k in 0..<directChannelBlock {
                    let channel = block * directChannelBlock + k
                    packed[(block * c * kh * kw + tap) * directChannelBlock + k] = channel < oc ? w[channel * c * kh * kw + tap] : 0
                }
            }
        }
        forEachBatchShare(g) { _, share in
            withScratch(directChannelBlock * directLanes + c * planeSize) { scratch in
                // The 8 accumulators of a finished tile, stored for the copy into y (64-byte aligned).
                let results = UnsafeMutableRawPointer(scratch).bindMemory(to: DirectVector.self, capacity: directChannelBlock)
                let xp = scratch + directChannelBlock * directLanes
                xp.update(repeating: 0, count: c * planeSize)
                var biases = [Float](repeating: 0, count: blocks * directChannelBlock)
                if let bias { for k in 0..<oc { biases[k] = bias.data[k] } }
                for image in share {
                    // The zero-bordered copy of this image (the border stays zero from the first fill).
                    for channel in 0..<c {
                        let src = x.data + (image * c + channel) * g.height * g.width
                        let dst = xp + channel * planeSize + p * paddedWidth + p
                        for row in 0..<g.height { (dst + row * paddedWidth).update(from: src + row * g.width, count: g.width) }
                    }
                    for block in 0..<blocks {
                        let weights = packed + block * c * kh * kw * directChannelBlock
                        let b = block * directChannelBlock
                        for oy in 0..<g.outHeight {
                            for tile in 0..<tiles {
                                var acc0 = DirectVector(repeating: biases[b]), acc1 = DirectVector(repeating: biases[b + 1])
                                var acc2 = DirectVector(repeating: biases[b + 2]), acc3 = DirectVector(repeating: biases[b + 3])
                                var acc4 = DirectVector(repeating: biases[b + 4]), acc5 = DirectVector(repeating: biases[b + 5])
                                var tap = weights
                                for channel in 0..<c {
                                    for i in 0..<kh {
                                        let row = UnsafeRawPointer(xp + channel * planeSize + (oy + i) * paddedWidth + tile * directLanes)
                                        for j in 0..<kw {
                                            let v = row.loadUnaligned(fromByteOffset: j * 4, as: DirectVector.self)
                                            acc0 = acc0.addingProduct(v, DirectVector(repeating: tap[0]))
                                            acc1 = acc1.addingProduct(v, DirectVector(repeating: tap[1]))
                                            acc2 = acc2.addingProduct(v, DirectVector(repeating: tap[2]))
                                            acc3 = acc3.addingProduct(v, DirectVector(repeating: tap[3]))
                                            acc4 = acc4.addingProduct(v, DirectVector(repeating: tap[4]))
                                            acc5 = acc5.addingProduct(v, DirectVector(repeating: tap[5]))
                                            tap += directChannelBlock
                                        }
                                    }
                                }
                                // Store the valid columns of each real output channel.
                                let columns = Swift.min(directLanes, g.outWidth - tile * directLanes)
                                (results[0], results[1], results[2]) = (acc0, acc1, acc2)
                                (results[3], results[4], results[5]) = (acc3, acc4, acc5)
                                for k in 0..<Swift.min(directChannelBlock, oc - b) {
                                    let out = y.data + (((image * oc) + b + k) * g.outHeight + oy) * g.outWidth + tile * directLanes
                                    if columns == directLanes {
                                        UnsafeMutableRawPointer(out).storeBytes(of: results[k], as: DirectVector.self)
                                    } else {
                                        UnsafeMutableRawPointer(out).copyMemory(from: results + k, byteCount: columns * 4)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    return y
}

/// The weight gradient by the direct method, for rows longer than one 16-column tile:
///   dW[oc, c, i, j] = Σ_n Σ_{oy, ox} dy[n, oc, oy, ox] · x[n, c, oy + i − p, ox + j − p].
/// For each 6-channel block and tap (c, i, j), 6 registers hold 16-lane partial sums over ox; every
/// input vector load feeds 6 fused multiply-adds against the block's gradient rows. Per image, x is
/// copied into a zero-bordered plane as in the forward kernel and dy into rows padded with zeros to
/// whole 16-column tiles (so the extra lanes add nothing). Lane partial sums live in memory between
/// images, per core; at the end the cores' partials are added in core order and the lanes summed.
func directWeightGradient(_ dy: Tensor, input x: Tensor, _ g: ConvolutionGeometry) -> Tensor {
    let (kh, kw, c, oc, p) = (g.kernelHeight, g.kernelWidth, g.channels, g.outChannels, g.padding)
    let taps = c * kh * kw
    let blocks = (oc + directChannelBlock - 1) / directChannelBlock
    let tiles = (g.outWidth + directLanes - 1) / directLanes
    let (paddedHeight, paddedWidth) = (g.height + 2 * p, tiles * directLanes + kw - 1)
    let (planeSize, gradientRow) = (paddedHeight * paddedWidth, tiles * directLanes)
    let gradientPlane = g.outHeight * gradientRow
    // partials[worker][block, tap, k] is a 16-lane vector of partial sums for dW[block·6 + k, tap].
    let partialCount = blocks * taps * directChannelBlock * directLanes
    let maxWorkers = Swift.min(kernelThreadCount, Swift.max(1, g.batch))
    let dw = Tensor(zeros: g.weightShape)
    withScratch(maxWorkers * partialCount) { partials in
        partials.update(repeating: 0, count: maxWorkers * partialCount)
        let workers = forEachBatchShare(g) { worker, share in
            let partial = UnsafeMutableRawPointer(partials + worker * partialCount)
                .bindMemory(to: DirectVector.self, capacity: blocks * taps * directChannelBlock)
            withScratch(c * planeSize + blocks * directChannelBlock * gradientPlane) { scratch in
                let (xp, dyp) = (scratch, scratch + c * planeSize)
                scratch.update(repeating: 0, count: c * planeSize + blocks * directChannelBlock * gradientPlane)
                for image in share {
                    for channel in 0..<c {
                        let src = x.data + (image * c + channel) * g.height * g.width
                        let dst = xp + channel * planeSize + p * paddedWidth + p
                        for row in 0..<g.height { (dst + row * paddedWidth).update(from: src + row * g.width, count: g.width) }
                    }
                    for channel in 0..<oc {
                        let src = dy.data + (image * oc + channel) * g.pixels
                        let dst = dyp + channel * gradientPlane
                        for row in 0..<g.outHeight { (dst + row * gradientRow).update(from: src + row * g.outWidth, count: g.outWidth) }
                    }
                    for block in 0..<blocks {
                        let rows = UnsafeRawPointer(dyp + block * directChannelBlock * gradientPlane)
                        let channelStride = gradientPlane * 4
                        for tap in 0..<taps {
                            let (channel, i, j) = (tap / (kh * kw), (tap / kw) % kh, tap % kw)
                            let sums = partial + (block * taps + tap) * directChannelBlock
                            var (acc0, acc1, acc2) = (sums[0], sums[1], sums[2])
                            var (acc3, acc4, acc5) = (sums[3], sums[4], sums[5])
                            let plane = UnsafeRawPointer(xp + channel * planeSize + i * paddedWidth + j)
                            for oy in 0..<g.outHeight {
                                for tile in 0..<tiles {
                                    let v = plane.loadUnaligned(fromByteOffset: (oy * paddedWidth + tile * directLanes) * 4, as: DirectVector.self)
                                    let at = (oy * gradientRow + tile * directLanes) * 4
                                    acc0 = acc0.addingProduct(v, rows.loadUnaligned(fromByteOffset: at, as: DirectVector.self))
                                    acc1 = acc1.addingProduct(v, rows.loadUnaligned(fromByteOffset: at + channelStride, as: DirectVector.self))
                                    acc2 = acc2.addingProduct(v, rows.loadUnaligned(fromByteOffset: at + 2 * channelStride, as: DirectVector.self))
                                    acc3 = acc3.addingProduct(v, rows.loadUnaligned(fromByteOffset: at + 3 * channelStride, as: DirectVector.self))
                                    acc4 = acc4.addingProduct(v, rows.loadUnaligned(fromByteOffset: at + 4 * channelStride, as: DirectVector.self))
                                    acc5 = acc5.addingProduct(v, rows.loadUnaligned(fromByteOffset: at + 5 * channelStride, as: DirectVector.self))
                                }
                            }
                            (sums[0], sums[1], sums[2]) = (acc0, acc1, acc2)
                            (sums[3], sums[4], sums[5]) = (acc3, acc4, acc5)
                        }
                    }
                }
            }
        }
        // dW[oc, tap] = Σ_lanes Σ_workers partial, cores added in order.
        let d = dw.data
        for block in 0..<blocks {
            for k in 0..<Swift.min(directChannelBlock, oc - block * directChannelBlock) {
                for tap in 0..<taps {
                    var total = DirectVector()
                    let offset: Int = ((block * taps + tap) * directChannelBlock + k) * directLanes
                    for worker in 0..<workers {
                        let lanes = UnsafeRawPointer(partials + worker * partialCount + offset)
                        total += lanes.loadUnaligned(as: DirectVector.self)
                    }
                    d[(block * directChannelBlock + k) * taps + tap] = total.sum()
                }
            }
        }
    }
    return dw
}

/// dL/dx of y = conv(x, weight): forward y_chunk = W · col(x) so d col = Wᵀ · dy_chunk, and
/// each column entry flows back to the pixel it was copied from (col2im).
/// gradOutput [N, OC, OH, OW], weight [OC, C, KH, KW] → [N, C, H, W] = inputShape.
public func conv2dBackwardInput(_ gradOutput: Tensor, weight: Tensor, inputShape: [Int], stride: Int, padding: Int) -> Tensor {
    let g = ConvolutionGeometry(input: inputShape, weight: weight.shape, stride: stride, padding: padding,
                                caller: "conv2dBackwardInput")
    precondition(gradOutput.shape == g.outputShape, "conv2dBackwardInput: gradient \(gradOutput.shape), expected \(g.outputShape)")
    // Stride 1: dx[n, c, y, x] = Σ_{oc,i,j} dy[n, oc, y + p − i, x + p − j] · W[oc, c, i, j] is itself a
    // stride-1 convolution of dy, padded by K − 1 − p, with the kernel flipped and its channel axes
    // swapped, W′[c, oc, i, j] = W[oc, c, K − 1 − i, K − 1 − j]: the direct kernel applies when it fits.
    let (kh, kw) = (g.kernelHeight, g.kernelWidth)
    if let full = g.directInputGradientGeometry {
        let flipped = Tensor(uninitializedShape: full.weightShape)
        let (w, f) = (weight.data, flipped.data)
        for o in 0..<g.outChannels {
            for c in 0..<g.channels {
                for i in 0..<kh {
                    for j in 0..<kw {
                        let source: Int = ((o * g.channels + c) * kh + (kh - 1 - i)) * kw + (kw - 1 - j)
                        let target: Int = ((c * g.outChannels + o) * kh + i) * kw + j
                        f[target] = w[source]
                    }
                }
            }
        }
        return directConvolutionForward(gradOutput, weight: flipped, bias: nil, full)
    }
    let dx = Tensor(zeros: inputShape)
    let chunk = g.imagesPerChunk
    forEachBatchShare(g) { _, share in
        withScratch(g.patch * chunk * g.pixels) { dcol in
            withScratch(g.outChannels * chunk * g.pixels) { dyMatrix in
                forEachChunk(of: share, g) { images in
                    gatherChunk(gradOutput.data, g, images: images, into: dyMatrix)
                    // d col [CKK, B·P] = weightᵀ [CKK, OC] · dy_chunk [OC, B·P]
                    gemm(transposeA: true, m: g.patch, n: images.count * g.pixels, k: g.outChannels,
                         a: weight.data, b: dyMatrix, c: dcol)
                    col2im(dcol, g, images: images, into: dx.data)
                }
            }
        }
    }
    return dx
}

/// dL/dweight of y = conv(x, weight): forward y_chunk = W · col(x) so dW = Σ_chunks dy_chunk · col(x)ᵀ.
/// gradOutput [N, OC, OH, OW], input x [N, C, H, W] → [OC, C, KH, KW] = weightShape.
/// Each core sums its share of the batch into its own partial dW; the partials are then added in
/// worker order, so the result is reproducible for a given core count.
public func conv2dBackwardWeight(_ gradOutput: Tensor, input: Tensor, weightShape: [Int], stride: Int, padding: Int) -> Tensor {
    let g = ConvolutionGeometry(input: input.shape, weight: weightShape, stride: stride, padding: padding,
                                caller: "conv2dBackwardWeight")
    precondition(gradOutput.shape == g.outputShape, "conv2dBackwardWeight: gradient \(gradOutput.shape), expected \(g.outputShape)")
    if g.prefersDirectWeightGradient { return directWeightGradient(gradOutput, input: input, g) }
    let dw = Tensor(zeros: weightShape)
    let weightCount = dw.count
    let chunk = g.imagesPerChunk
    let maxWorkers = Swift.min(kernelThreadCount, Swift.max(1, g.batch))
    withScratch((maxWorkers - 1) * weightCount) { partials in
        let workers = forEachBatchShare(g) { worker, share in
            // Worker 0 sums straight into dw, the others into their own partial.
            let target = worker == 0 ? dw.data : partials + (worker - 1) * weightCount
            withScratch(g.patch * chunk * g.pixels) { col in
                withScratch(g.outChannels * chunk * g.pixels) { dyMatrix in
                    var first = true
                    forEachChunk(of: share, g) { images in
                        im2col(input.data, g, images: images, into: col)
                        gatherChunk(gradOutput.data, g, images: images, into: dyMatrix)
                        // dW [OC, CKK] += dy_chunk [OC, B·P] · colᵀ [B·P, CKK]
                        gemm(transposeB: true, m: g.outChannels, n: g.patch, k: images.count * g.pixels,
                             a: dyMatrix, b: col, beta: first ? 0 : 1, c: target)
                        first = false
                    }
                    if first { target.update(repeating: 0, count: weightCount) }  // an empty share
                }
            }
        }
        let total = dw.data
        for worker in 1..<Swift.max(1, workers) {
            let partial = partials + (worker - 1) * weightCount
            for i in 0..<weightCount { total[i] += partial[i] }
        }
    }
    return dw
}

/// dL/dbias of y = conv(x, weight) + bias: the bias is added to every pixel of every image,
/// so dbias[oc] = Σ_{n, oy, ox} dy[n, oc, oy, ox].  gradOutput [N, OC, OH, OW] → [OC].
public func conv2dBackwardBias(_ gradOutput: Tensor) -> Tensor {
    precondition(gradOutput.rank == 4, "conv2dBackwardBias: gradient must be [N, OC, OH, OW], got \(gradOutput.shape)")
    let (n, oc, pixels) = (gradOutput.shape[0], gradOutput.shape[1], gradOutput.shape[2] * gradOutput.shape[3])
    let db = Tensor(uninitializedShape: [oc])
    let (src, dst) = (gradOutput.data, db.data)
    parallelFor(oc, costPerItem: n * pixels) { channels in
        for channel in channels {
            var total: Double = 0
            for image in 0..<n { total += Double(sumOfValues(src + (image * oc + channel) * pixels, count: pixels)) }
            dst[channel] = Float(total)
        }
    }
    return db
}

/// Σ values, with 16 independent partial sums so the loop vectorises (the order is fixed,
/// so the result is reproducible).
@inline(__always)
func sumOfValues(_ p: UnsafePointer<Float>, count: Int) -> Float {
    var partial = SIMD16<Float>()
    let raw = UnsafeRawPointer(p)
    var i = 0
    while i + 16 <= count {
        partial += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
        i += 16
    }
    var total = partial.sum()
    while i < count { total += p[i]; i += 1 }
    return total
}

// MARK: - The differentiable op

/// 2-D convolution (cross-correlation) with autograd: x [N, C, H, W], weight [OC, C, KH, KW],
/// bias [OC] (optional) → [N, OC, ⌊(H + 2·padding − KH) / stride⌋ + 1, ⌊(W + 2·padding − KW) / stride⌋ + 1].
/// Zero padding on every side; PyTorch's `F.conv2d` semantics.
public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0) -> Tensor {
    let y = conv2dForward(x, weight: weight, bias: bias, stride: stride, padding: padding)
    let (xv, wv) = (x.detached(), weight.detached())
    let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    // forward: y = W ⋆ x + b, linear in each of x, W, b, so
    //   dx = W ⋆ᵀ dy (col2im of Wᵀ·dy),  dW = dy · col(x)ᵀ,  db = Σ_{n,oy,ox} dy.
    return y.recordingGradient(of: inputs) { dy in
        var grads: [Tensor?] = [
            x.needsGradient ? conv2dBackwardInput(dy, weight: wv, inputShape: xv.shape, stride: stride, padding: padding) : nil,
            weight.needsGradient ? conv2dBackwardWeight(dy, input: xv, weightShape: wv.shape, stride: stride, padding: padding) : nil,
        ]
        if let bias { grads.append(bias.needsGradient ? conv2dBackwardBias(dy) : nil) }
        return grads
    }
}
