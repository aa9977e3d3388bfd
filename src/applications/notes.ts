import type { SqlEntityManager as EntityManager } from '@mikro-orm/sql';

/**
 * Notes the hiring team writes about an application. They are immutable: a note is written once and
 * may only be deleted (a real delete, nothing kept). The body is personal data about the candidate,
 * kept as the cover letter is and deleted with the candidate's other data on erasure.
 */
export interface NoteRecord {
  id: number;
  applicationId: string;
  authorId: number;
  /** Null once the author's account is erased: the note stays, their name does not. */
  authorName: string | null;
  body: string;
  createdAt: string;
}

/** Notes page oldest first on (createdAt, id); the cursor is the last row's key, `<createdAt>~<id>`. */
export interface NoteCursor {
  createdAt: string;
  id: number;
}

/** Every value it admits is a harmless position (the notes after that key), so none the document allows is refused. */
export const NOTE_CURSOR = /^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?Z)~([1-9][0-9]{0,14})$/;

export const encodeNoteCursor = (key: NoteCursor) => `${key.createdAt}~${key.id}`;

export function decodeNoteCursor(cursor: string): NoteCursor | undefined {
  const match = NOTE_CURSOR.exec(cursor);
  return match ? { createdAt: match[1], id: Number(match[2]) } : undefined;
}

const SELECT = `select n.id, n.application_id as "applicationId", n.author_id as "authorId", u.full_name as "authorName",
  n.body, n.created_at as "createdAt" from notes n join users u on u.id = n.author_id`;

export async function createNote(em: EntityManager, applicationId: string, authorId: number, body: string): Promise<NoteRecord> {
  const createdAt = new Date().toISOString();
  const [{ id }] = await em.execute<{ id: number }[]>(
    'insert into notes (application_id, author_id, body, created_at) values (?, ?, ?, ?) returning id',
    [applicationId, authorId, body, createdAt],
    'all',
  );
  return (await findNote(em, Number(id)))!;
}

export async function findNote(em: EntityManager, id: number): Promise<NoteRecord | null> {
  const [row] = await em.execute<NoteRecord[]>(`${SELECT} where n.id = ?`, [id], 'all');
  return row ? { ...row, id: Number(row.id), authorId: Number(row.authorId) } : null;
}

/** Oldest first; `limit` rows at most, after the cursor's row when one is given. */
export async function listNotes(em: EntityManager, applicationId: string, limit: number, after?: NoteCursor): Promise<NoteRecord[]> {
  const params: unknown[] = [applicationId];
  let where = 'n.application_id = ?';
  if (after) {
    where += ' and (n.created_at, n.id) > (?, ?)';
    params.push(after.createdAt, after.id);
  }
  const rows = await em.execute<NoteRecord[]>(`${SELECT} where ${where} order by n.created_at, n.id limit ?`, [...params, limit], 'all');
  return rows.map((r) => ({ ...r, id: Number(r.id), authorId: Number(r.authorId) }));
}

export async function deleteNote(em: EntityManager, id: number): Promise<void> {
  await em.execute('delete from notes where id = ?', [id], 'run');
}

const OF_CANDIDATE = 'n.application_id in (select id from applications where candidate_id = ?)';

/** The notes about a candidate's applications, for their export. */
export async function notesAboutCandidate(em: EntityManager, candidateId: number): Promise<NoteRecord[]> {
  const rows = await em.execute<NoteRecord[]>(`${SELECT} where ${OF_CANDIDATE} order by n.created_at, n.id`, [candidateId], 'all');
  return rows.map((r) => ({ ...r, id: Number(r.id), authorId: Number(r.authorId) }));
}

/** Erasure: the notes about a candidate's applications go, rows and all. */
export async function deleteNotesAboutCandidate(em: EntityManager, candidateId: number): Promise<void> {
  await em.execute('delete from notes where application_id in (select id from applications where candidate_id = ?)', [candidateId], 'run');
}
