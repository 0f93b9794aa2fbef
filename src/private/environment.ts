import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The account and region of `scope`'s stack, as strings: literal values, or the token strings of
 * an environment-agnostic stack (the same `AWS::AccountId` and `AWS::Region` in every such stack).
 */
export function environmentKey(scope: IConstruct): string {
  const stack = Stack.of(scope);
  return `${stack.account}/${stack.region}`;
}

/** "account 123456789012 and region eu-west-1", or what a token stands for. */
export function describeEnvironment(scope: IConstruct): string {
  const stack = Stack.of(scope);
  const account = Token.isUnresolved(stack.account) ? 'the deployment account' : `account ${stack.account}`;
  const region = Token.isUnresolved(stack.region) ? 'the deployment region' : `region ${stack.region}`;
  return `${account} and ${region}`;
}

/**
 * Constructs of one kind in each app (the root construct), by key (an environment, or an
 * environment and a name), in the order they were defined.
 */
export class AppRegistry<T extends IConstruct> {
  private readonly apps = new WeakMap<IConstruct, Map<string, T[]>>();

  /** Records `item` under `key` in its app; returns the live list of everything recorded there. */
  public add(key: string, item: T): readonly T[] {
    const keys = this.apps.get(item.node.root) ?? new Map<string, T[]>();
    this.apps.set(item.node.root, keys);
    const items = keys.get(key) ?? [];
    keys.set(key, items);
    items.push(item);
    return items;
  }

  /** What `scope`'s app recorded under `key`, in definition order. */
  public get(scope: IConstruct, key: string): readonly T[] {
    return this.apps.get(scope.node.root)?.get(key) ?? [];
  }
}
