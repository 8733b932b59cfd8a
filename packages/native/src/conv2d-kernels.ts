import type { KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { convGeometry } from './conv-geometry';
import type { ConvAttrs } from './conv-geometry';
import type { NativeAddon } from './native-addon';
import { asWasmHeapBackend, byteOffset, heapBuffer } from './wasm-heap';

/** How one conv kernel maps its inputs onto the C entry point. */
interface ConvSpec {
  name: string;
  /** [input image shape, filter shape] of the forward conv this kernel belongs to. */
  shapes(inputs: NamedTensorInfoMap, attrs: NamedAttrMap): [readonly number[], readonly number[]] | undefined;
  /** The two tensors the C function reads, in its argument order. */
  operands(inputs: NamedTensorInfoMap): [TensorInfo | undefined, TensorInfo | undefined];
  outShape(forwardShapes: [readonly number[], readonly number[]], outHeight: number, outWidth: number, outChannels: number): number[];
  run: (addon: NativeAddon) => NativeAddon['conv2dForward'];
}

function convKernel(spec: ConvSpec, addon: NativeAddon, fallback: KernelFunc | undefined): KernelFunc {
  return (args) => {
    const attrs = args.attrs ?? {};
    const backend = asWasmHeapBackend(args.backend);
    const shapes = spec.shapes(args.inputs, attrs);
    const [first, second] = spec.operands(args.inputs);
    const plan = shapes && convGeometry(shapes[0], shapes[1], attrs as unknown as ConvAttrs);
    // dy must be exactly the forward conv's output: the C code trusts the geometry for every read.
    const dyShape = plan && [plan.info.batchSize, plan.info.outHeight, plan.info.outWidth, plan.info.outChannels];
    const dy = args.inputs.dy;
    const fits = dy == null || (dyShape !== undefined && dy.shape.length === 4 && dy.shape.every((d, i) => d === dyShape[i]));
    const floats = first?.dtype === 'float32' && second?.dtype === 'float32';
    if (backend && plan && floats && fits) {
      const out = backend.makeOutput(spec.outShape(shapes!, plan.info.outHeight, plan.info.outWidth, plan.info.outChannels), 'float32');
      const heap = heapBuffer(backend);
      if (heap) {
        spec.run(addon)(heap, byteOffset(backend, first!), byteOffset(backend, second!), byteOffset(backend, out), plan.geometry);
        return out;
      }
      backend.disposeData(out.dataId);
    }
    if (!fallback) throw new Error(`${spec.name}: the native kernel cannot take these inputs and has no fallback`);
    return fallback(args) as TensorInfo;
  };
}

const shapeOf = (info: TensorInfo | undefined): readonly number[] | undefined => info?.shape;

/** Conv2D: y = im2col(x)·W. */
export function nativeConv2D(addon: NativeAddon, fallback: KernelFunc | undefined): KernelFunc {
  return convKernel(
    {
      name: 'Conv2D',
      shapes: (inputs) => {
        const x = shapeOf(inputs.x);
        const w = shapeOf(inputs.filter);
        return x && w ? [x, w] : undefined;
      },
      operands: (inputs) => [inputs.x, inputs.filter],
      outShape: ([x], oh, ow, cout) => [x[0]!, oh, ow, cout],
      run: (a) => a.conv2dForward,
    },
    addon,
    fallback,
  );
}

/** Conv2DBackpropInput (also conv2dTranspose's forward): dx = col2im(dy·Wᵀ). */
export function nativeConv2DBackpropInput(addon: NativeAddon, fallback: KernelFunc | undefined): KernelFunc {
  return convKernel(
    {
      name: 'Conv2DBackpropInput',
      shapes: (inputs, attrs) => {
        const w = shapeOf(inputs.filter);
        const x = attrs.inputShape as readonly number[] | undefined;
        return x && w ? [x, w] : undefined;
      },
      operands: (inputs) => [inputs.dy, inputs.filter],
      outShape: ([x]) => [...x],
      run: (a) => a.conv2dBackpropInput,
    },
    addon,
    fallback,
  );
}

/** Conv2DBackpropFilter: dW = Σ im2col(x)ᵀ·dy. */
export function nativeConv2DBackpropFilter(addon: NativeAddon, fallback: KernelFunc | undefined): KernelFunc {
  return convKernel(
    {
      name: 'Conv2DBackpropFilter',
      shapes: (inputs, attrs) => {
        const x = shapeOf(inputs.x);
        const w = attrs.filterShape as readonly number[] | undefined;
        return x && w ? [x, w] : undefined;
      },
      operands: (inputs) => [inputs.x, inputs.dy],
      outShape: (shapes) => [...shapes[1]],
      run: (a) => a.conv2dBackpropFilter,
    },
    addon,
    fallback,
  );
}
