import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Document } from '@gltf-transform/core'
import { pack } from 'gltfpack'
import { afterAll, describe, expect, it } from 'vitest'
import { optimizeScene } from '../../../node/optimizer/optimize.ts'
import { createSceneIO, loadSceneSafely } from '../../../node/scene/load-scene.ts'
import { measureScene } from '../../../node/scene/scene-stats.ts'
import { addExportedRelief, addVoxelFigure } from '../../../sim/exported-meshes.ts'
import { addGrid, makePng } from '../../../sim/scenes.ts'

const dir = mkdtempSync(join(tmpdir(), 'trust-engine-simplify-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

async function sceneOf (add: (doc: Document) => ReturnType<typeof addGrid>): Promise<Uint8Array> {
  const doc = new Document()
  doc.createBuffer()
  doc.createScene().addChild(doc.createNode('mesh').setMesh(add(doc)))
  return await createSceneIO().writeBinary(doc)
}

async function triangles (bytes: Uint8Array): Promise<number> {
  return measureScene((await loadSceneSafely(bytes)).document, bytes.byteLength).triangles
}

async function gltfpackTriangles (input: Uint8Array, args: string[]): Promise<number> {
  let out: Uint8Array | undefined
  await pack(['-i', 'in.glb', '-o', 'out.glb', ...args], {
    read: () => input,
    write: (path: string, data: Uint8Array) => { if (path === 'out.glb') out = data.slice() }
  })
  return await triangles(out!)
}

// 80 × 80 relief, 12,800 triangles, exported as a soup with normals that differ in their last bits.
const relief = await sceneOf((doc) => addExportedRelief(doc, 80, doc.createMaterial('m')))
// Voxel figure at 2 voxels per unit: 8,816 triangles of flat quads with palette coordinates.
const voxel = await sceneOf((doc) => addVoxelFigure(doc, 2, doc.createMaterial('palette').setBaseColorTexture(doc.createTexture('p').setImage(makePng(8, 1)).setMimeType('image/png'))))

describe('simplification', () => {
  it('reaches gltfpack\'s triangle count on an exported mesh whose vertex copies differ in their normals\' last bits', async () => {
    expect(await triangles(relief)).toBe(12800)
    const theirs = await gltfpackTriangles(relief, ['-si', '0.01', '-se', '0.01'])
    const { report } = await optimizeScene(relief, { profile: 'gaming', ratio: 0.01, error: 0.01 })
    expect(theirs).toBe(127)
    expect(report.after.triangles).toBe(128)
    expect(report.after.triangles).toBeLessThanOrEqual(Math.ceil(theirs * 1.01))
    expect(report.simplification).toEqual({ requested: 0.01, achieved: 128 / 12800 })
    // Compared bit for bit (no quantization, so no output precision to weld at), the copies stay seams and stop it early.
    const exact = await optimizeScene(relief, { profile: 'gaming', ratio: 0.01, error: 0.01, quantize: false })
    expect(exact.report.after.triangles).toBe(6680)
  })

  it('falls back to the sloppy simplifier where the profile allows it, and only there', async () => {
    const before = await triangles(voxel)
    const precise = await optimizeScene(voxel, { profile: 'gaming', ratio: 0.01, error: 0.01 })
    const sloppy = await optimizeScene(voxel, { profile: 'economy', ratio: 0.01 })
    const off = await optimizeScene(voxel, { profile: 'economy', ratio: 0.01, sloppyError: false })
    expect(before).toBe(8816)
    expect(precise.report.after.triangles).toBe(1030)
    expect(off.report.after.triangles).toBe(1030)
    expect(sloppy.report.after.triangles).toBe(742)
    expect(sloppy.report.simplification?.achieved).toBe(742 / 8816)
  })

  it('keeps every border vertex of an open mesh in place when the border is locked', async () => {
    const grid = await sceneOf((doc) => addGrid(doc, 40, doc.createMaterial('m')))
    const borderVertices = async (bytes: Uint8Array): Promise<number> => {
      const doc = (await loadSceneSafely(bytes)).document
      const prim = doc.getRoot().listMeshes()[0]!.listPrimitives()[0]!
      const position = prim.getAttribute('POSITION')!
      const node = doc.getRoot().listNodes().find((n) => n.getMesh() !== null)!
      const m = node.getWorldMatrix()
      let count = 0
      const p: number[] = []
      for (let i = 0; i < position.getCount(); i++) {
        position.getElement(i, p)
        const x = m[0] * p[0]! + m[4] * p[1]! + m[8] * p[2]! + m[12]
        const z = m[2] * p[0]! + m[6] * p[1]! + m[10] * p[2]! + m[14]
        if (Math.abs(Math.abs(x) - 0.5) < 1e-3 || Math.abs(Math.abs(z) - 0.5) < 1e-3) count++
      }
      return count
    }
    const locked = await optimizeScene(grid, { profile: 'gaming', ratio: 0.05, error: 0.05, lockBorder: true })
    const free = await optimizeScene(grid, { profile: 'gaming', ratio: 0.05, error: 0.05, lockBorder: false })
    expect(await borderVertices(locked.bytes)).toBe(160)
    expect(await borderVertices(free.bytes)).toBeLessThan(160)
    expect(locked.report.after.triangles).toBeGreaterThan(free.report.after.triangles)
  })

  it('gives byte-identical output in two runs and in a child process (quantized weld, attributes, sloppy)', async () => {
    const options = { profile: 'economy' as const, ratio: 0.02 }
    const a = await optimizeScene(voxel, options)
    const b = await optimizeScene(voxel, options)
    expect(sha(a.bytes)).toBe(sha(b.bytes))
    const input = join(dir, 'voxel.glb')
    writeFileSync(input, voxel)
    const child = fileURLToPath(new URL('./optimize-child.ts', import.meta.url))
    const out = execFileSync(process.execPath, [child, input, JSON.stringify(options)], { encoding: 'utf8' }).trim()
    expect(out).toBe(sha(a.bytes))
    const r = await optimizeScene(relief, { profile: 'gaming', ratio: 0.1 })
    const r2 = await optimizeScene(relief, { profile: 'gaming', ratio: 0.1 })
    expect(sha(r.bytes)).toBe(sha(r2.bytes))
  })
})
