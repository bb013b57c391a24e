// One MCP exchange over Streamable HTTP, stateless: a fresh SDK Server and transport per POST, so any
// instance (or a restarted one) can answer any request. Tools are listed with their security schemes
// and run only after the auth gate; their failures become tool errors with a human message.
// Resources (the portfolio widget) are public: listing and reading them needs no token.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CallToolRequestSchema, ErrorCode, ListResourcesRequestSchema, ListResourceTemplatesRequestSchema, ListToolsRequestSchema, McpError,
  ReadResourceRequestSchema, type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../common/log.js';
import { ApiError } from './api-client.js';
import { reasonFor } from './pdp-client.js';
import type { AuditRecord } from './audit.js';
import { tools, toolsByName } from './tools/index.js';
import { describeTool, toolError, type ToolContext } from './tools/registry.js';
import type { WidgetResources } from './widget-resource.js';

const INSTRUCTIONS = 'Portfolio tools for the signed-in user: search stocks (public), show the portfolio, buy and sell shares. ' +
  'Trades above the approval limit need the user to approve them on their authenticator page.';

export function createMcpHandler(log: Logger, version: string, widgets: WidgetResources) {
  const toolList = tools.map(describeTool);

  async function runTool(name: string, args: unknown, ctx: ToolContext, record: AuditRecord): Promise<CallToolResult> {
    const tool = toolsByName.get(name);
    if (!tool) return toolError(`Unknown tool "${name}".`);
    if (ctx.challenge) {
      record.outcome = 'sign_in_required';
      return toolError('Please sign in (or grant more access) to use this tool.', { 'mcp/www_authenticate': [ctx.challenge] });
    }
    const parsed = tool.input.safeParse(args ?? {});
    if (!parsed.success) {
      record.outcome = 'invalid_arguments';
      return toolError(`Invalid arguments for ${name}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}`);
    }
    if (tool.apiScopes && !ctx.apiToken) {
      record.outcome = 'exchange_failed';
      return toolError(`The authorization server could not be reached, please try again shortly (${ctx.exchangeError ?? 'no API token'}).`);
    }
    try {
      if (!tool.decidesWithPdp) {
        const decision = await ctx.pdp(ctx.claims, name, parsed.data);
        if (!decision.decision) {
          record.outcome = 'policy_denied';
          return toolError(`Not allowed: ${reasonFor(decision)}`);
        }
      }
      const result = await tool.run(parsed.data, ctx);
      record.outcome = result.isError ? 'tool_error' : 'ok';
      return result;
    } catch (err) {
      if (err instanceof ApiError) {
        record.outcome = `api_${err.error}`;
        return toolError(err.status >= 500 ? 'The portfolio service had a problem, please try again.' : err.description);
      }
      log.error('tool failed', { tool: name, error: (err as Error).message });
      record.outcome = 'internal_error';
      return toolError('Something went wrong on the server; nothing was changed.');
    }
  }

  // one validator for every request: building an Ajv instance per Server is a large share of a call
  const jsonSchemaValidator = new AjvJsonSchemaValidator();

  return async function handle(req: IncomingMessage, res: ServerResponse, body: unknown, ctx: ToolContext, record: AuditRecord) {
    const server = new Server({ name: 'portfolio-mcp', title: 'Portfolio (mcp-auth-lab)', version }, {
      capabilities: { tools: {}, resources: {} }, instructions: INSTRUCTIONS, jsonSchemaValidator,
    });
    server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: toolList }));
    server.setRequestHandler(ListResourcesRequestSchema, () => ({ resources: widgets.list() }));
    server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({ resourceTemplates: [] }));
    server.setRequestHandler(ReadResourceRequestSchema, (request) => {
      const contents = widgets.read(request.params.uri);
      if (!contents) throw new McpError(ErrorCode.InvalidParams, `Unknown resource ${request.params.uri}`, { uri: request.params.uri });
      return { contents };
    });
    server.setRequestHandler(CallToolRequestSchema, (request) => runTool(request.params.name, request.params.arguments, ctx, record));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  };
}
