import { describe, expect, it } from 'vitest';
import {
  AppError,
  conflict,
  invalidField,
  notFound,
  operationNotAllowed,
  preconditionFailed,
  validationError,
} from '../../src/domain/errors.js';

/** The parts of an AppError that the HTTP error mapper turns into Azure's error body. */
const wire = (e: AppError) => ({ kind: e.kind, code: e.code, message: e.message, details: e.details });

describe('AppError', () => {
  it('is an Error with a kind, a code, a message and details', () => {
    const details = [{ code: 'X', target: 't', message: 'm' }];
    const e = new AppError('forbidden', 'Forbidden', 'No.', details);
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(AppError);
    expect(e.name).toBe('AppError');
    expect(wire(e)).toEqual({ kind: 'forbidden', code: 'Forbidden', message: 'No.', details });
    expect(String(e)).toBe('AppError: No.');
    expect(e.stack).toContain('AppError: No.');
  });

  it('has no details unless given some', () => {
    expect(new AppError('conflict', 'Conflict', 'x').details).toEqual([]);
  });
});

describe('the error factories', () => {
  it('validationError: 400 ValidationError with the given details', () => {
    expect(wire(validationError('Bad.'))).toEqual({ kind: 'validation', code: 'ValidationError', message: 'Bad.', details: [] });
    const details = [{ code: 'ValidationError', target: 'a', message: 'b' }];
    expect(validationError('Bad.', details).details).toEqual(details);
  });

  it('invalidField: one detail naming the field', () => {
    expect(wire(invalidField('properties.email', 'must be an email address'))).toEqual({
      kind: 'validation',
      code: 'ValidationError',
      message: 'One or more fields contain incorrect values.',
      details: [{ code: 'ValidationError', target: 'properties.email', message: 'must be an email address' }],
    });
  });

  it('notFound: 404 ResourceNotFound naming the entity', () => {
    expect(wire(notFound('User'))).toEqual({
      kind: 'not-found',
      code: 'ResourceNotFound',
      message: 'User not found.',
      details: [],
    });
  });

  it('conflict: 409, with a detail only when a target is named', () => {
    expect(wire(conflict('Email already in use.', 'properties.email'))).toEqual({
      kind: 'conflict',
      code: 'Conflict',
      message: 'Email already in use.',
      details: [{ code: 'Conflict', target: 'properties.email', message: 'Email already in use.' }],
    });
    expect(wire(conflict('Exists.'))).toEqual({ kind: 'conflict', code: 'Conflict', message: 'Exists.', details: [] });
    expect(conflict('Exists.', '').details).toEqual([]);
  });

  it('preconditionFailed: 412 telling the client to read the entity again', () => {
    const e = preconditionFailed();
    expect(e.kind).toBe('precondition-failed');
    expect(e.code).toBe('PreconditionFailed');
    expect(e.message).toBe(
      'The entity has been modified since it was read: the If-Match ETag does not match. Read it again and retry.',
    );
    expect(e.details).toEqual([]);
  });

  it('operationNotAllowed: 400 OperationNotAllowed', () => {
    expect(wire(operationNotAllowed('Cannot delete a system group.'))).toEqual({
      kind: 'validation',
      code: 'OperationNotAllowed',
      message: 'Cannot delete a system group.',
      details: [],
    });
  });
});
