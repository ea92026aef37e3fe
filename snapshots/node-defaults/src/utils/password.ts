import bcrypt from "bcrypt";

/** bcrypt hashes for stored credentials; `rounds` comes from BCRYPT_ROUNDS. */
export async function hashPassword(plain: string, rounds: number): Promise<string> {
  return bcrypt.hash(plain, rounds);
}

export async function verifyPassword(plain: string, hash: string): Promise<boolean> {
  return bcrypt.compare(plain, hash);
}
