// Test helpers for Flower interop (real Flower processes from ../shared/flower): `@localbp/flower/testing`.
export * from './flower-processes';
