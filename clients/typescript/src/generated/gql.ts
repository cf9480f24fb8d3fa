/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query Catalogue($first: Int = 20, $after: String) {\n  products(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...ProductCard\n        inStock\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.CatalogueDocument,
    "fragment ProductCard on Product {\n  id\n  title\n  priceCents\n  currency\n  averageRating\n}\n\nfragment ReviewWithAuthor on Review {\n  id\n  rating\n  body\n  author {\n    id\n    name\n  }\n}\n\nfragment OrderSummary on Order {\n  id\n  status\n  placedAt\n  totalCents\n}": typeof types.ProductCardFragmentDoc,
    "query Me {\n  me {\n    id\n    name\n    email\n    memberSince\n  }\n}": typeof types.MeDocument,
    "query MyRecentOrders {\n  me {\n    id\n    orders(first: 5) {\n      ...OrderSummary\n    }\n  }\n}": typeof types.MyRecentOrdersDocument,
    "query OrderDetail($id: ID!) {\n  order(id: $id) {\n    ...OrderSummary\n    customer {\n      id\n      name\n      email\n    }\n    lines {\n      quantity\n      unitPriceCents\n      product {\n        ...ProductCard\n        inStock\n      }\n    }\n  }\n}": typeof types.OrderDetailDocument,
    "query OrderPageDeferredReviews($after: String) {\n  orders(first: 20, after: $after) {\n    edges {\n      node {\n        ...OrderSummary\n        customer {\n          id\n          name\n        }\n        lines {\n          quantity\n          unitPriceCents\n          product {\n            id\n            title\n            priceCents\n            currency\n            ... @defer(label: \"reviews\") {\n              averageRating\n              reviews {\n                ...ReviewWithAuthor\n              }\n            }\n          }\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.OrderPageDeferredReviewsDocument,
    "query OrderPage($after: String) {\n  orders(first: 20, after: $after) {\n    edges {\n      node {\n        ...OrderSummary\n        customer {\n          id\n          name\n        }\n        lines {\n          quantity\n          unitPriceCents\n          product {\n            ...ProductCard\n            reviews {\n              ...ReviewWithAuthor\n            }\n          }\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.OrderPageDocument,
    "mutation PlaceOrder($input: PlaceOrderInput!, $idempotencyKey: String!) {\n  placeOrder(input: $input, idempotencyKey: $idempotencyKey) {\n    ...OrderSummary\n    lines {\n      quantity\n      unitPriceCents\n      product {\n        id\n        title\n      }\n    }\n  }\n}": typeof types.PlaceOrderDocument,
    "query ProductDetail($id: ID!) {\n  product(id: $id) {\n    ...ProductCard\n    inStock\n    reviews {\n      ...ReviewWithAuthor\n    }\n  }\n}": typeof types.ProductDetailDocument,
    "query UserProfile($id: ID!) {\n  user(id: $id) {\n    id\n    name\n    memberSince\n  }\n}": typeof types.UserProfileDocument,
};
const documents: Documents = {
    "query Catalogue($first: Int = 20, $after: String) {\n  products(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...ProductCard\n        inStock\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": types.CatalogueDocument,
    "fragment ProductCard on Product {\n  id\n  title\n  priceCents\n  currency\n  averageRating\n}\n\nfragment ReviewWithAuthor on Review {\n  id\n  rating\n  body\n  author {\n    id\n    name\n  }\n}\n\nfragment OrderSummary on Order {\n  id\n  status\n  placedAt\n  totalCents\n}": types.ProductCardFragmentDoc,
    "query Me {\n  me {\n    id\n    name\n    email\n    memberSince\n  }\n}": types.MeDocument,
    "query MyRecentOrders {\n  me {\n    id\n    orders(first: 5) {\n      ...OrderSummary\n    }\n  }\n}": types.MyRecentOrdersDocument,
    "query OrderDetail($id: ID!) {\n  order(id: $id) {\n    ...OrderSummary\n    customer {\n      id\n      name\n      email\n    }\n    lines {\n      quantity\n      unitPriceCents\n      product {\n        ...ProductCard\n        inStock\n      }\n    }\n  }\n}": types.OrderDetailDocument,
    "query OrderPageDeferredReviews($after: String) {\n  orders(first: 20, after: $after) {\n    edges {\n      node {\n        ...OrderSummary\n        customer {\n          id\n          name\n        }\n        lines {\n          quantity\n          unitPriceCents\n          product {\n            id\n            title\n            priceCents\n            currency\n            ... @defer(label: \"reviews\") {\n              averageRating\n              reviews {\n                ...ReviewWithAuthor\n              }\n            }\n          }\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": types.OrderPageDeferredReviewsDocument,
    "query OrderPage($after: String) {\n  orders(first: 20, after: $after) {\n    edges {\n      node {\n        ...OrderSummary\n        customer {\n          id\n          name\n        }\n        lines {\n          quantity\n          unitPriceCents\n          product {\n            ...ProductCard\n            reviews {\n              ...ReviewWithAuthor\n            }\n          }\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": types.OrderPageDocument,
    "mutation PlaceOrder($input: PlaceOrderInput!, $idempotencyKey: String!) {\n  placeOrder(input: $input, idempotencyKey: $idempotencyKey) {\n    ...OrderSummary\n    lines {\n      quantity\n      unitPriceCents\n      product {\n        id\n        title\n      }\n    }\n  }\n}": types.PlaceOrderDocument,
    "query ProductDetail($id: ID!) {\n  product(id: $id) {\n    ...ProductCard\n    inStock\n    reviews {\n      ...ReviewWithAuthor\n    }\n  }\n}": types.ProductDetailDocument,
    "query UserProfile($id: ID!) {\n  user(id: $id) {\n    id\n    name\n    memberSince\n  }\n}": types.UserProfileDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Catalogue($first: Int = 20, $after: String) {\n  products(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...ProductCard\n        inStock\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): (typeof documents)["query Catalogue($first: Int = 20, $after: String) {\n  products(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...ProductCard\n        inStock\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment ProductCard on Product {\n  id\n  title\n  priceCents\n  currency\n  averageRating\n}\n\nfragment ReviewWithAuthor on Review {\n  id\n  rating\n  body\n  author {\n    id\n    name\n  }\n}\n\nfragment OrderSummary on Order {\n  id\n  status\n  placedAt\n  totalCents\n}"): (typeof documents)["fragment ProductCard on Product {\n  id\n  title\n  priceCents\n  currency\n  averageRating\n}\n\nfragment ReviewWithAuthor on Review {\n  id\n  rating\n  body\n  author {\n    id\n    name\n  }\n}\n\nfragment OrderSummary on Order {\n  id\n  status\n  placedAt\n  totalCents\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Me {\n  me {\n    id\n    name\n    email\n    memberSince\n  }\n}"): (typeof documents)["query Me {\n  me {\n    id\n    name\n    email\n    memberSince\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query MyRecentOrders {\n  me {\n    id\n    orders(first: 5) {\n      ...OrderSummary\n    }\n  }\n}"): (typeof documents)["query MyRecentOrders {\n  me {\n    id\n    orders(first: 5) {\n      ...OrderSummary\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query OrderDetail($id: ID!) {\n  order(id: $id) {\n    ...OrderSummary\n    customer {\n      id\n      name\n      email\n    }\n    lines {\n      quantity\n      unitPriceCents\n      product {\n        ...ProductCard\n        inStock\n      }\n    }\n  }\n}"): (typeof documents)["query OrderDetail($id: ID!) {\n  order(id: $id) {\n    ...OrderSummary\n    customer {\n      id\n      name\n      email\n    }\n    lines {\n      quantity\n      unitPriceCents\n      product {\n        ...ProductCard\n        inStock\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query OrderPageDeferredReviews($after: String) {\n  orders(first: 20, after: $after) {\n    edges {\n      node {\n        ...OrderSummary\n        customer {\n          id\n          name\n        }\n        lines {\n          quantity\n          unitPriceCents\n          product {\n            id\n            title\n            priceCents\n            currency\n            ... @defer(label: \"reviews\") {\n              averageRating\n              reviews {\n                ...ReviewWithAuthor\n              }\n            }\n          }\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): (typeof documents)["query OrderPageDeferredReviews($after: String) {\n  orders(first: 20, after: $after) {\n    edges {\n      node {\n        ...OrderSummary\n        customer {\n          id\n          name\n        }\n        lines {\n          quantity\n          unitPriceCents\n          product {\n            id\n            title\n            priceCents\n            currency\n            ... @defer(label: \"reviews\") {\n              averageRating\n              reviews {\n                ...ReviewWithAuthor\n              }\n            }\n          }\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query OrderPage($after: String) {\n  orders(first: 20, after: $after) {\n    edges {\n      node {\n        ...OrderSummary\n        customer {\n          id\n          name\n        }\n        lines {\n          quantity\n          unitPriceCents\n          product {\n            ...ProductCard\n            reviews {\n              ...ReviewWithAuthor\n            }\n          }\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): (typeof documents)["query OrderPage($after: String) {\n  orders(first: 20, after: $after) {\n    edges {\n      node {\n        ...OrderSummary\n        customer {\n          id\n          name\n        }\n        lines {\n          quantity\n          unitPriceCents\n          product {\n            ...ProductCard\n            reviews {\n              ...ReviewWithAuthor\n            }\n          }\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation PlaceOrder($input: PlaceOrderInput!, $idempotencyKey: String!) {\n  placeOrder(input: $input, idempotencyKey: $idempotencyKey) {\n    ...OrderSummary\n    lines {\n      quantity\n      unitPriceCents\n      product {\n        id\n        title\n      }\n    }\n  }\n}"): (typeof documents)["mutation PlaceOrder($input: PlaceOrderInput!, $idempotencyKey: String!) {\n  placeOrder(input: $input, idempotencyKey: $idempotencyKey) {\n    ...OrderSummary\n    lines {\n      quantity\n      unitPriceCents\n      product {\n        id\n        title\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ProductDetail($id: ID!) {\n  product(id: $id) {\n    ...ProductCard\n    inStock\n    reviews {\n      ...ReviewWithAuthor\n    }\n  }\n}"): (typeof documents)["query ProductDetail($id: ID!) {\n  product(id: $id) {\n    ...ProductCard\n    inStock\n    reviews {\n      ...ReviewWithAuthor\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query UserProfile($id: ID!) {\n  user(id: $id) {\n    id\n    name\n    memberSince\n  }\n}"): (typeof documents)["query UserProfile($id: ID!) {\n  user(id: $id) {\n    id\n    name\n    memberSince\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;