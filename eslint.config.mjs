/**
 * n8n's community-node lint rules (eslint-plugin-n8n-nodes-base), as `n8n-node lint` and n8n's
 * community-package scanner apply them:
 *  - package.json: the `community` rules (name, keywords, n8n field, author…);
 *  - nodes/n8n/**: the `nodes` rules (parameter names, descriptions, option order, error handling);
 *  - credentials/**: the `credentials` rules.
 * The plugin ships legacy (eslintrc) configs; only their rule lists are used here.
 */
import tsParser from '@typescript-eslint/parser';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';

const plugins = { 'n8n-nodes-base': n8nNodesBase };

export default [
	{
		ignores: ['dist/**', 'node_modules/**', 'examples/**', 'nodes/node-red/**'],
	},
	{
		files: ['package.json'],
		plugins,
		languageOptions: {
			parser: tsParser,
			parserOptions: { extraFileExtensions: ['.json'] },
		},
		rules: {
			...n8nNodesBase.configs.community.rules,
			// Our package is scoped (@switchboard-msg/n8n-nodes-switchboard); the rule's "still default"
			// check only compares against the starter's placeholder name.
		},
	},
	{
		files: ['nodes/n8n/**/*.ts'],
		plugins,
		languageOptions: {
			parser: tsParser,
			parserOptions: { sourceType: 'module' },
		},
		rules: {
			...n8nNodesBase.configs.nodes.rules,
		},
	},
	{
		files: ['credentials/**/*.ts'],
		plugins,
		languageOptions: {
			parser: tsParser,
			parserOptions: { sourceType: 'module' },
		},
		rules: {
			...n8nNodesBase.configs.credentials.rules,
		},
	},
];
