/**
 * Errors that carry a stable code and a message meant for the user (Indonesian).
 * Anything else reaching the error handler is a bug: it is logged and the user sees the
 * generic 500 page, never a stack trace or a database message.
 */
export class AppError extends Error {
  constructor(public code: string, message: string, public status = 400) { super(message); }
}

/** Bad input: field -> message. Routes re-render the form with these next to their fields. */
export class ValidationError extends AppError {
  constructor(public fields: Record<string, string>, message = 'Periksa kembali isian yang ditandai.') {
    super('validation', message, 422);
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Halaman atau data yang Anda cari tidak ditemukan.') { super('not_found', message, 404); }
}

export class ForbiddenError extends AppError {
  constructor(message = 'Anda tidak berwenang melakukan tindakan ini.') { super('forbidden', message, 403); }
}

/** The record changed since the user loaded it (optimistic locking). */
export class ConflictError extends AppError {
  constructor(message = 'Data ini sudah diubah orang lain sejak Anda membukanya. Muat ulang halaman, lalu ulangi perubahan Anda.') {
    super('conflict', message, 409);
  }
}
