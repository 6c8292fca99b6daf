/**
 * The slice of the Node-RED runtime API our nodes use. Typed here instead of pulling in @types/node-red
 * so the shells compile against exactly what Node-RED 4 and 5 both provide, and nothing more.
 */

/** A message as it travels between nodes. */
export interface NodeMessage {
	_msgid?: string;
	payload?: unknown;
	topic?: string;
	[key: string]: unknown;
}

export interface NodeStatus {
	fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
	shape?: 'ring' | 'dot';
	text?: string;
}

/** `send` as handed to an input handler (Node-RED 1+): one entry per output, an array sends several in order. */
export type NodeSend = (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void;

/** `done` as handed to an input handler: with an error, Catch nodes in scope receive it. */
export type NodeDone = (err?: Error) => void;

/** What the editor saved for a node (its `defaults`), plus the runtime's own fields. */
export interface NodeDef {
	id: string;
	type: string;
	name?: string;
	z?: string;
	[key: string]: unknown;
}

export interface Node {
	readonly id: string;
	readonly type: string;
	name?: string;
	/** Decrypted credentials declared in registerType's `credentials` option. */
	credentials?: Record<string, string | undefined>;
	on(event: 'input', listener: (msg: NodeMessage, send: NodeSend, done: NodeDone) => void): void;
	on(event: 'close', listener: (removed: boolean, done: () => void) => void): void;
	status(status: NodeStatus): void;
	send(msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>): void;
	error(error: unknown, msg?: NodeMessage): void;
	warn(message: unknown): void;
	log(message: unknown): void;
}

export interface HttpResponse {
	json(body: unknown): void;
}

export type HttpHandler = (req: unknown, res: HttpResponse, next: () => void) => void;

export interface CredentialsDefinition {
	[name: string]: { type: 'text' | 'password' };
}

/** The `RED` object a node module's exported function receives. */
export interface NodeAPI {
	nodes: {
		createNode(node: Node, def: NodeDef): void;
		registerType(type: string, constructor: (this: Node, def: NodeDef) => void, options?: { credentials?: CredentialsDefinition }): void;
	};
	httpAdmin?: { get(path: string, ...handlers: HttpHandler[]): void };
	auth?: { needsPermission(permission: string): HttpHandler };
	version?(): string;
}

export type NodeModule = (RED: NodeAPI) => void;
