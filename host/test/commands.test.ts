// The composer's phrase patterns: what a workshop participant types, and the tool call it becomes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommand } from '../ui/commands.js';

const tool = (name: string, args: Record<string, unknown> = {}) => ({ kind: 'tool', name, args });

describe('composer commands', () => {
  it('understands the everyday phrases', () => {
    assert.deepEqual(parseCommand('show my portfolio'), tool('get_portfolio'));
    assert.deepEqual(parseCommand('What are my holdings?'), tool('get_portfolio'));
    assert.deepEqual(parseCommand('buy 3 ACME'), tool('buy_stock', { symbol: 'ACME', quantity: 3 }));
    assert.deepEqual(parseCommand('please sell 2 shares of acme'), tool('sell_stock', { symbol: 'ACME', quantity: 2 }));
    assert.deepEqual(parseCommand('Buy five INIT'), tool('buy_stock', { symbol: 'INIT', quantity: 5 }));
    assert.deepEqual(parseCommand('buy a share of GLBX'), tool('buy_stock', { symbol: 'GLBX', quantity: 1 }));
    assert.deepEqual(parseCommand('search tech stocks'), tool('search_stocks', { query: 'tech' }));
    assert.deepEqual(parseCommand('list all stocks'), tool('search_stocks', { query: '' }));
    assert.deepEqual(parseCommand('quote ACME'), tool('search_stocks', { query: 'acme' }));
    assert.deepEqual(parseCommand('continue trd_7f3c2a'), tool('continue_authorization', { trade_id: 'trd_7f3c2a' }));
    assert.deepEqual(parseCommand('help'), { kind: 'help' });
    assert.deepEqual(parseCommand('disconnect'), { kind: 'disconnect' });
    assert.deepEqual(parseCommand('connect to http://localhost:9001/mcp'), { kind: 'connect', url: 'http://localhost:9001/mcp' });
  });

  it('asks instead of guessing', () => {
    assert.equal(parseCommand('buy ACME').kind, 'clarify');
    assert.equal(parseCommand('sell 3').kind, 'clarify');
    assert.equal(parseCommand('tell me a joke').kind, 'unknown');
  });

  it('takes raw tool calls with JSON arguments', () => {
    assert.deepEqual(parseCommand('call search_stocks {"query": "energy", "limit": 2}'), tool('search_stocks', { query: 'energy', limit: 2 }));
    assert.deepEqual(parseCommand('call get_portfolio'), tool('get_portfolio'));
    assert.equal(parseCommand('call buy_stock {oops').kind, 'clarify');
  });
});
