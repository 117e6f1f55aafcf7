/**
 * Layout of a node's data folder:
 *
 *     DIR/db/        LevelDB store (this folder's code)
 *     DIR/key.json   the node key (node/keys.ts), mode 0600
 *     DIR/blobs/     content-addressed blob files
 */
import { join } from 'node:path'

/** Paths inside a node's data folder. */
export interface DataDirLayout {
  /** The data folder itself. */
  root: string
  /** LevelDB folder. */
  db: string
  /** Node key file. */
  keyFile: string
  /** Blob folder. */
  blobs: string
}

/** The paths of the data folder `dir`. */
export function dataDirLayout (dir: string): DataDirLayout {
  return { root: dir, db: join(dir, 'db'), keyFile: join(dir, 'key.json'), blobs: join(dir, 'blobs') }
}
